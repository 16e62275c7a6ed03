namespace ExEsdbGater.Bus;

// Handling: call the handler, retry, dead-letter, and acknowledge only what was handled.
internal sealed partial class DurableSubscription
{
    private async Task HandlerLoopAsync()
    {
        // no mark of its own: nothing ever waits for room in a durable subscription's queue
        Subscription.ClearRunningHandler();
        var reader = _channel.Reader;
        var ct = _cts.Token;
        var acks = new List<string>();
        try
        {
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    if (!await HandleAsync(item, ct).ConfigureAwait(false))
                    {
                        return;
                    }
                    if (item.Entry is { } e && !item.DeadLettered)
                    {
                        acks.Add(e.Id);
                    }
                    // acknowledged in batches, at the latest when the queue runs dry
                    if (acks.Count >= 64 || (acks.Count > 0 && reader.Count == 0))
                    {
                        await AcknowledgeAsync(acks).ConfigureAwait(false);
                        acks.Clear();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            // handled before disposal: acknowledge, so a clean stop leaves nothing to redeliver
            if (acks.Count > 0)
            {
                await AcknowledgeAsync(acks).ConfigureAwait(false);
            }
        }
    }

    // Up to MaxDeliveryAttempts calls; then the entry moves to the dead-letter stream. False: the bus is stopping.
    private async Task<bool> HandleAsync(Item item, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _handler!(item.Delivery, ct).ConfigureAwait(false);
                _bus.CountDurableDelivered();
                return true;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // interrupted: not acknowledged, so it is delivered again
                return false;
            }
#pragma warning disable CA1031 // a throwing handler is isolated and reported, never propagated
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _bus.ReportDurableHandlerFailure(this, item.Delivery, ex);
                if (item.Entry is not { } entry)
                {
                    return true;
                }
                if (attempt >= _maxAttempts)
                {
                    await DeadLetterAsync(entry, $"handler of {Name} failed {attempt} time(s): {ex.GetType().Name}: {ex.Message}", attempt).ConfigureAwait(false);
                    item.DeadLettered = true;
                    return true;
                }
                await Task.Delay(Math.Min(50 * attempt, 1000), ct).ConfigureAwait(false);
            }
        }
    }

    private async Task DeadLetterAsync(DurableEntry entry, string reason, int attempts)
    {
        try
        {
            await _reader.DeadLetterAsync(entry, reason, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _deadLettered);
            Interlocked.Increment(ref _acknowledged);
            _bus.ReportDeadLettered(this, entry.Id, attempts);
        }
#pragma warning disable CA1031 // the entry stays pending and comes back: reported, not thrown into the loop
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _bus.ReportDurableError(this, ex);
        }
        Done([entry.Id]);
    }

    private async Task AcknowledgeAsync(List<string> ids)
    {
        try
        {
            await _reader.AcknowledgeAsync(ids, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Add(ref _acknowledged, ids.Count);
        }
#pragma warning disable CA1031 // an acknowledgement lost to an outage means one more delivery, never a lost entry
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _bus.ReportDurableError(this, ex);
        }
        Done(ids);
    }

    private void Done(IReadOnlyList<string> ids)
    {
        lock (_inFlightLock)
        {
            foreach (var id in ids)
            {
                _inFlight.Remove(id);
            }
        }
    }

    // Stream mode: the item a reader took is acknowledged when it comes back for the next one (or disposes).
    private void AcknowledgeTaken()
    {
        if (Interlocked.Exchange(ref _taken, null) is { Entry: { } e })
        {
            _ = AcknowledgeAsync([e.Id]);
        }
    }
}

using System.Threading.Channels;

namespace ExEsdbGater.Bus;

// Reading: pull entries from the store into the bounded queue, verified, up to the history's end if it has one.
internal sealed partial class DurableSubscription
{
    private static (long, long)? UpperBound(StreamPosition? until)
    {
        if (until is not { } u)
        {
            return null;
        }
        if (u.EntryId is { } id && StreamPosition.TryParseEntryId(id, out var ms, out var seq))
        {
            return (ms, seq);
        }
        return u.Time is { } t ? (t.ToUnixTimeMilliseconds(), long.MaxValue) : null;
    }

    private bool PastUntil(string entryId)
        => _until is { } u && StreamPosition.TryParseEntryId(entryId, out var ms, out var seq) && (ms > u.Ms || (ms == u.Ms && seq > u.Seq));

    private async Task ReadLoopAsync()
    {
        Subscription.ClearRunningHandler();
        var ct = _cts.Token;
        var acks = new List<string>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                DurableBatch batch;
                try
                {
                    batch = await _reader.ReadAsync(Math.Min(_capacity, GaterDefaults.DurableReadBatch), ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // the store is unreachable (a restart, a failover): keep trying; entries wait there
                    _bus.ReportDurableError(this, ex);
                    await Task.Delay(250, ct).ConfigureAwait(false);
                    continue;
                }
                if (batch.Missing > 0)
                {
                    Interlocked.Add(ref _missing, batch.Missing);
                    _bus.ReportStreamGap(this, batch.Missing, batch.Entries.Count > 0 ? batch.Entries[0].Id : null);
                }
                foreach (var entry in batch.Entries)
                {
                    if (PastUntil(entry.Id))
                    {
                        _channel.Writer.TryComplete();
                        return;
                    }
                    if (entry.Redelivered)
                    {
                        lock (_inFlightLock)
                        {
                            if (_inFlight.Contains(entry.Id))
                            {
                                continue;
                            }
                        }
                        Interlocked.Increment(ref _redelivered);
                    }
                    var delivery = _bus.VerifyEntry(Instance, entry);
                    if (delivery is null || !Matches(entry.Topic))
                    {
                        // rejected (counted, reported) or not for this pattern: done with it
                        acks.Add(entry.Id);
                        continue;
                    }
                    lock (_inFlightLock)
                    {
                        _inFlight.Add(entry.Id);
                    }
                    await _channel.Writer.WriteAsync(new Item(delivery, entry), ct).ConfigureAwait(false);
                    Interlocked.Increment(ref _enqueued);
                }
                if (acks.Count > 0)
                {
                    await AcknowledgeAsync(acks).ConfigureAwait(false);
                    acks.Clear();
                }
                if (batch.End && _until is not null)
                {
                    _channel.Writer.TryComplete();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }
}

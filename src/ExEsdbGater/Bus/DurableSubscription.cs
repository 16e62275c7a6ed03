using System.Threading.Channels;

namespace ExEsdbGater.Bus;

/// <summary>
/// A subscription to a durable instance: a read loop pulls entries from the store into a bounded queue (so the queue
/// bounds what is read but not yet handled), verifies each one, and a handler loop calls the handler; an entry is
/// acknowledged only after its handler returned (or, for a stream, when the reader comes back for the next one).
/// </summary>
internal sealed class DurableSubscription : IGaterDurableSubscription
{
    private readonly GaterBusCore _bus;
    private readonly IDurableStreamReader _reader;
    private readonly Channel<Item> _channel;
    private readonly Func<Delivery, CancellationToken, ValueTask>? _handler;
    private readonly CancellationTokenSource _cts = new();
    private readonly int _capacity;
    private readonly int _maxAttempts;
    private readonly bool _exact;
    private readonly (long Ms, long Seq)? _until;
    // entries read and not yet acknowledged: a claim of one of them (it idled in our own queue) is not a redelivery
    private readonly HashSet<string> _inFlight = [];
    private readonly Lock _inFlightLock = new();
    private Task? _readLoop;
    private Task? _handlerLoop;
    private Item? _taken;
    private long _enqueued, _acknowledged, _redelivered, _deadLettered, _missing;
    private int _disposed;

    public DurableSubscription(GaterBusCore bus, GaterInstance instance, string pattern, string name, string? group, IDurableStreamReader reader, SubscriptionOptions options, Func<Delivery, CancellationToken, ValueTask>? handler)
    {
        _bus = bus;
        _reader = reader;
        _handler = handler;
        Instance = instance;
        Pattern = pattern;
        Name = name;
        Group = group;
        Consumer = bus.Node;
        _capacity = options.Capacity;
        _maxAttempts = options.MaxDeliveryAttempts;
        _exact = !pattern.Contains('*', StringComparison.Ordinal);
        _until = options.From is null ? null : UpperBound(options.Until);
        // Wait mode always: entries wait in the store, never dropped here
        _channel = Channel.CreateBounded<Item>(new BoundedChannelOptions(options.Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        Reader = new AckingReader(this);
    }

    public GaterInstance Instance { get; }

    public string Pattern { get; }

    public string Name { get; }

    public string? Group { get; }

    public string Consumer { get; }

    public long Enqueued => Interlocked.Read(ref _enqueued);

    public long Dropped => 0;

    public int QueueDepth => _channel.Reader.Count;

    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public long Redelivered => Interlocked.Read(ref _redelivered);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    public long Missing => Interlocked.Read(ref _missing);

    public ChannelReader<Delivery> Reader { get; }

    public bool Matches(string topic) => _exact ? string.Equals(Pattern, topic, StringComparison.Ordinal) : TopicPattern.Matches(Pattern, topic);

    public void Start()
    {
        _readLoop = Task.Run(ReadLoopAsync);
        if (_handler is not null)
        {
            _handlerLoop = Task.Run(HandlerLoopAsync);
        }
    }

    /// <summary>A local-only broadcast: queued if there is room, never acknowledged (it has no entry).</summary>
    public bool TryEnqueueLocal(Delivery d)
    {
        if (!_channel.Writer.TryWrite(new Item(d, null)))
        {
            return false;
        }
        Interlocked.Increment(ref _enqueued);
        return true;
    }

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

    private async Task HandlerLoopAsync()
    {
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

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _bus.Remove(this);
        await _cts.CancelAsync().ConfigureAwait(false);
        _channel.Writer.TryComplete();
        foreach (var loop in new[] { _readLoop, _handlerLoop })
        {
            if (loop is not null)
            {
                await loop.ConfigureAwait(false);
            }
        }
        if (Interlocked.Exchange(ref _taken, null) is { Entry: { } e })
        {
            await AcknowledgeAsync([e.Id]).ConfigureAwait(false);
        }
        await _reader.DisposeAsync().ConfigureAwait(false);
        _cts.Dispose();
    }

    private sealed class Item(Delivery delivery, DurableEntry? entry)
    {
        public Delivery Delivery { get; } = delivery;

        public DurableEntry? Entry { get; } = entry;

        public bool DeadLettered { get; set; }
    }

    /// <summary>The stream's reader: hands out deliveries and acknowledges each one when the next is asked for.</summary>
    private sealed class AckingReader(DurableSubscription owner) : ChannelReader<Delivery>
    {
        public override Task Completion => owner._channel.Reader.Completion;

        public override bool CanCount => true;

        public override int Count => owner._channel.Reader.Count;

        public override bool TryRead(out Delivery item)
        {
            owner.AcknowledgeTaken();
            if (owner._channel.Reader.TryRead(out var next))
            {
                Volatile.Write(ref owner._taken, next);
                item = next.Delivery;
                return true;
            }
            item = null!;
            return false;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => owner._channel.Reader.WaitToReadAsync(cancellationToken);
    }
}

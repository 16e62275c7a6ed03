using System.Threading.Channels;

namespace ExEsdbGater.Bus;

/// <summary>
/// A subscription to a durable instance: a read loop pulls entries from the store into a bounded queue (so the queue
/// bounds what is read but not yet handled), verifies each one, and a handler loop calls the handler; an entry is
/// acknowledged only after its handler returned (or, for a stream, when the reader comes back for the next one).
/// </summary>
internal sealed partial class DurableSubscription : IGaterDurableSubscription
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

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExEsdbGater.Bus;

/// <summary>
/// The one bus implementation: signs once per broadcast, verifies each received frame once, fans out to queues.
/// Split by concern: this file holds state and lifetime; <c>.Publish</c>, <c>.Receive</c>, <c>.Subscriptions</c>
/// <c>.Events</c> and <c>.Links</c> hold the rest.
/// </summary>
internal sealed partial class GaterBusCore : IGaterBus
{
    private static long s_lastEpoch;

    private readonly KeyRing _keys;
    private readonly IGaterBackplane? _backplane;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private long _published, _delivered, _received, _verified, _dropped, _inboundDropped, _gaps, _handlerErrors;
    private int _disposed;

    /// <summary>Creates the bus from options already checked by <see cref="GaterBus.Create"/>.</summary>
    public GaterBusCore(GaterBusOptions options)
    {
        InitDurable(options);
        Node = global::ExEsdbGater.NodeName.Resolve(options.NodeName ?? MessageContext.Default.Node);
        _keys = options.Keys ?? KeyRing.Create();
        _backplane = options.Backplane;
        _time = options.Verifier.TimeProvider;
        Context = new MessageContext(Node, _time);
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ExEsdbGater.Bus");
        _events = new BusEventQueue(options.EventQueueCapacity, _logger);
        Verifier = new FrameVerifier(_keys, options.Verifier with { LoggerFactory = options.Verifier.LoggerFactory ?? options.LoggerFactory });
        Verifier.Rejected += OnRejected;
        Epoch = NextEpoch(_time);
        _inboundCapacity = options.InboundCapacity;
        _inboundMaxBytes = options.InboundMaxBytes;
        if (_backplane is not null)
        {
            _backplane.StateChanged += OnBackplaneState;
        }
        _links = [.. options.Links];
        _linkSubs = _links.Select(_ => new IAsyncDisposable?[GaterInstances.All.Count]).ToArray();
        foreach (var link in _links)
        {
            link.StateChanged += OnBackplaneState;
        }
        _lanes = CreateLanes(options.ReceiveWorkers);
        _backplaneHandler = OnBackplaneFrame;
        GaterTelemetry.Track(this);
    }

    public string Node { get; }

    public MessageContext Context { get; }

    public long Epoch { get; }

    public FrameVerifier Verifier { get; }

    public BusStatistics Statistics
    {
        get
        {
            // receiving counts on its lanes (GaterBusCore.Lanes.cs), everything else here
            long received = Interlocked.Read(ref _received), verified = Interlocked.Read(ref _verified), delivered = Interlocked.Read(ref _delivered), echoes = 0L;
            foreach (var lane in _lanes)
            {
                received += Interlocked.Read(ref lane.Counters.Received);
                verified += Interlocked.Read(ref lane.Counters.Verified);
                delivered += Interlocked.Read(ref lane.Counters.Delivered);
                echoes += Interlocked.Read(ref lane.Counters.Echoes);
            }
            return new(
                Interlocked.Read(ref _published), delivered, received, verified,
                Verifier.TotalRejected + Interlocked.Read(ref _linkRejected), Interlocked.Read(ref _dropped), Interlocked.Read(ref _inboundDropped), Interlocked.Read(ref _gaps),
                Interlocked.Read(ref _handlerErrors), echoes, _events.Dropped);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        GaterTelemetry.Untrack(this);
        if (_backplane is not null)
        {
            _backplane.StateChanged -= OnBackplaneState;
        }
        await DisposeBackplaneSubscriptionsAsync().ConfigureAwait(false);
        await DisposeLinkSubscriptionsAsync().ConfigureAwait(false);
        await StopLanesAsync().ConfigureAwait(false);
        await DisposeDurableSubscriptionsAsync().ConfigureAwait(false);
        await DisposeSubscriptionsAsync().ConfigureAwait(false);
        // last: subscriptions' final handler failures still reach observers
        await _events.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _backplaneLock.Dispose();
    }

    private static long NextEpoch(TimeProvider time)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        while (true)
        {
            var last = Interlocked.Read(ref s_lastEpoch);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref s_lastEpoch, next, last) == last)
            {
                return next;
            }
        }
    }
}

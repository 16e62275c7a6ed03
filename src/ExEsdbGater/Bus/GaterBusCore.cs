using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExEsdbGater;

/// <summary>The one bus implementation: signs once per broadcast, verifies each received frame once, fans out to queues.</summary>
internal sealed partial class GaterBusCore : IGaterBus
{
    private static long s_lastEpoch;

    private readonly KeyRing _keys;
    private readonly IGaterBackplane? _backplane;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _subsLock = new();
    private readonly Subscription[][] _subs = Enumerable.Range(0, GaterInstances.All.Count).Select(_ => Array.Empty<Subscription>()).ToArray();
    private readonly IAsyncDisposable?[] _backplaneSubs = new IAsyncDisposable?[GaterInstances.All.Count];
    private readonly SemaphoreSlim _backplaneLock = new(1, 1);
    private readonly ConcurrentDictionary<(GaterInstance, string), TopicState> _topics = new();
    private readonly Channel<Inbound> _inbound;
    private readonly Task _receiveLoop;
    private readonly Dictionary<(string Node, GaterInstance Instance, string Topic), (long Epoch, long Seq)> _sequences = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _receiveLock = new();
    private bool _draining;
    private long _published, _delivered, _received, _verified, _dropped, _inboundDropped, _gaps, _handlerErrors, _echoes;
    private int _disposed;

    public GaterBusCore(GaterBusOptions options)
    {
        Node = global::ExEsdbGater.NodeName.Resolve(options.NodeName ?? MessageContext.Default.Node);
        _keys = options.Keys ?? KeyRing.Create();
        _backplane = options.Backplane;
        _time = options.Verifier.TimeProvider;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ExEsdbGater.Bus");
        Verifier = new FrameVerifier(_keys, options.Verifier with { LoggerFactory = options.Verifier.LoggerFactory ?? options.LoggerFactory });
        Verifier.Rejected += OnRejected;
        Epoch = NextEpoch(_time);
        _inbound = Channel.CreateBounded<Inbound>(
            new BoundedChannelOptions(options.InboundCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => Interlocked.Increment(ref _inboundDropped));
        if (_backplane is not null)
        {
            _backplane.StateChanged += OnBackplaneState;
        }
        _receiveLoop = Task.Run(ReceiveLoopAsync);
        GaterTelemetry.Track(this);
    }

    public string Node { get; }

    public long Epoch { get; }

    public FrameVerifier Verifier { get; }

    public BusStatistics Statistics => new(
        Interlocked.Read(ref _published), Interlocked.Read(ref _delivered), Interlocked.Read(ref _received), Interlocked.Read(ref _verified),
        Verifier.TotalRejected, Interlocked.Read(ref _dropped), Interlocked.Read(ref _inboundDropped), Interlocked.Read(ref _gaps),
        Interlocked.Read(ref _handlerErrors), Interlocked.Read(ref _echoes));

    internal int QueueDepth => _subs.SelectMany(s => s).Sum(s => s.QueueDepth);

    public event Action<FrameRejection>? FrameRejected;

    public event Action<SequenceGap>? GapDetected;

    public event Action<SlowConsumer>? SlowConsumerDetected;

    public event Action<HandlerFailure>? HandlerFailed;

    public event Action<BackplaneStateChange>? BackplaneStateChanged;

    public ValueTask<PublishReceipt> BroadcastAsync(string topic, GaterMessage message, CancellationToken cancellationToken = default)
        => PublishAsync(topic, message, exclude: null, remote: true, cancellationToken);

    public ValueTask<PublishReceipt> BroadcastFromAsync(IGaterSubscription from, string topic, GaterMessage message, CancellationToken cancellationToken = default)
        => PublishAsync(topic, message, from ?? throw new ArgumentNullException(nameof(from)), remote: true, cancellationToken);

    public ValueTask<PublishReceipt> LocalBroadcastAsync(string topic, GaterMessage message, CancellationToken cancellationToken = default)
        => PublishAsync(topic, message, exclude: null, remote: false, cancellationToken);

    public async ValueTask<IGaterSubscription> SubscribeAsync(GaterInstance instance, string topicPattern, Func<Delivery, CancellationToken, ValueTask> handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var sub = new Subscription(this, instance, topicPattern, options ?? new SubscriptionOptions(), handler);
        await AddAsync(sub, cancellationToken).ConfigureAwait(false);
        return sub;
    }

    public async ValueTask<IGaterStream> OpenStreamAsync(GaterInstance instance, string topicPattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        var sub = new Subscription(this, instance, topicPattern, options ?? new SubscriptionOptions(), handler: null);
        await AddAsync(sub, cancellationToken).ConfigureAwait(false);
        return sub;
    }

    private async ValueTask<PublishReceipt> PublishAsync(string topic, GaterMessage message, IGaterSubscription? exclude, bool remote, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentNullException.ThrowIfNull(message);
        if (topic is null || !FrameRules.IsValidTopic(topic))
        {
            throw new ArgumentException($"'{topic}' is not a valid topic (1-255 UTF-8 bytes, no '*', no control characters).", nameof(topic));
        }
        var check = MessageValidator.Validate(message);
        if (!check.IsOk)
        {
            throw new GaterValidationException(message.GetType().Name, check);
        }
        var instance = message.Instance;
        using var activity = GaterTelemetry.Source.StartActivity("exesdbgater publish", ActivityKind.Producer);
        activity?.SetTag("exesdbgater.instance", instance.WireName());
        activity?.SetTag("exesdbgater.topic", topic);
        activity?.SetTag("exesdbgater.type", message.Tag);
        var ts = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var id = ElixirCompat.GenerateMessageId("msg", _time);
        if (!remote)
        {
            var localEnvelope = new Envelope(instance, topic, message.Tag, id, Node, Epoch, 0, ts);
            var n = await DeliverAsync(instance, topic, new Delivery(localEnvelope, message, local: true), exclude, ct).ConfigureAwait(false);
            return new PublishReceipt(localEnvelope, n, 0);
        }
        var state = _topics.GetOrAdd((instance, topic), static _ => new TopicState());
        await state.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var envelope = new Envelope(instance, topic, message.Tag, id, Node, Epoch, state.Seq + 1, ts);
            var frame = FrameEncoder.Encode(_keys, envelope, message);
            state.Seq++;
            Interlocked.Increment(ref _published);
            GaterTelemetry.Published.Add(1);
            var delivered = await DeliverAsync(instance, topic, new Delivery(envelope, message, local: true), exclude, ct).ConfigureAwait(false);
            if (_backplane is not null)
            {
                await _backplane.PublishAsync(instance, topic, frame, ct).ConfigureAwait(false);
            }
            return new PublishReceipt(envelope, delivered, frame.Length);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private ValueTask<int> DeliverAsync(GaterInstance instance, string topic, Delivery delivery, IGaterSubscription? exclude, CancellationToken ct)
    {
        var subs = Volatile.Read(ref _subs[(int)instance]);
        var n = TryDeliver(subs, topic, delivery, exclude, out var stoppedAt);
        if (stoppedAt >= 0)
        {
            return DeliverSlowAsync(subs, stoppedAt, n, topic, delivery, exclude, ct);
        }
        Counted(n);
        return ValueTask.FromResult(n);
    }

    /// <summary>Enqueues to every matching subscriber that has room; stops at the first full Wait-mode queue (its index, else -1).</summary>
    private static int TryDeliver(Subscription[] subs, string topic, Delivery delivery, IGaterSubscription? exclude, out int stoppedAt)
    {
        var n = 0;
        for (var i = 0; i < subs.Length; i++)
        {
            var s = subs[i];
            if (ReferenceEquals(s, exclude) || !s.Matches(topic))
            {
                continue;
            }
            if (!s.TryEnqueue(delivery))
            {
                stoppedAt = i;
                return n;
            }
            n++;
        }
        stoppedAt = -1;
        return n;
    }

    // The rare path: a Wait-mode queue is full, so the publisher waits for room (backpressure).
    private async ValueTask<int> DeliverSlowAsync(Subscription[] subs, int from, int n, string topic, Delivery delivery, IGaterSubscription? exclude, CancellationToken ct)
    {
        for (var i = from; i < subs.Length; i++)
        {
            var s = subs[i];
            if (ReferenceEquals(s, exclude) || !s.Matches(topic))
            {
                continue;
            }
            if (s.TryEnqueue(delivery) || await s.EnqueueAsync(delivery, ct).ConfigureAwait(false))
            {
                n++;
            }
        }
        Counted(n);
        return n;
    }

    private void Counted(int n)
    {
        if (n > 0)
        {
            Interlocked.Add(ref _delivered, n);
            GaterTelemetry.Delivered.Add(n);
        }
    }

    private async ValueTask AddAsync(Subscription sub, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_backplane is not null && Volatile.Read(ref _backplaneSubs[(int)sub.Instance]) is null)
        {
            await _backplaneLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                // One backplane subscription per instance: overlapping patterns never receive a frame twice.
                _backplaneSubs[(int)sub.Instance] ??= await _backplane.SubscribeAsync(sub.Instance, "*", OnBackplaneFrame, ct).ConfigureAwait(false);
            }
            finally
            {
                _backplaneLock.Release();
            }
        }
        lock (_subsLock)
        {
            _subs[(int)sub.Instance] = [.. _subs[(int)sub.Instance], sub];
        }
        sub.Start();
    }

    internal void Remove(Subscription sub)
    {
        lock (_subsLock)
        {
            _subs[(int)sub.Instance] = _subs[(int)sub.Instance].Where(s => !ReferenceEquals(s, sub)).ToArray();
        }
    }

    // Frames are received inline on the backplane's thread (no hop) while every subscriber has room. When a
    // Wait-mode subscriber is full, the rest of that delivery and every later frame go through the inbound queue,
    // drained by the receive loop with backpressure, in order; inline receiving resumes once it is empty.
    private void OnBackplaneFrame(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame)
    {
        Interlocked.Increment(ref _received);
        lock (_receiveLock)
        {
            if (_draining)
            {
                _inbound.Writer.TryWrite(new Inbound(instance, topic, frame, null, 0, null));
                return;
            }
            var result = Receive(instance, topic, frame);
            if (result.Pending is not null)
            {
                _draining = true;
                _inbound.Writer.TryWrite(new Inbound(instance, topic, frame, result.Pending, result.From, result.Subs));
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var reader = _inbound.Reader;
        // uncancellable wait: no allocation per wait; DisposeAsync completes the writer to end the loop
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false) && !_stopping.IsCancellationRequested)
        {
            while (true)
            {
                Inbound item;
                lock (_receiveLock)
                {
                    if (!reader.TryRead(out item))
                    {
                        _draining = false;
                        break;
                    }
                }
                try
                {
                    var (pending, from, subs) = item.Pending is null ? ReceiveLocked(item) : (item.Pending, item.From, item.Subs);
                    if (pending is not null)
                    {
                        await DeliverSlowAsync(subs!, from, 0, item.Topic, pending, null, _stopping.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    private (Delivery? Pending, int From, Subscription[]? Subs) ReceiveLocked(Inbound item)
    {
        lock (_receiveLock)
        {
            return Receive(item.Instance, item.Topic, item.Frame);
        }
    }

    /// <summary>Verifies once and enqueues to every matching subscriber; returns the delivery left for a full Wait-mode queue.</summary>
    private (Delivery? Pending, int From, Subscription[]? Subs) Receive(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame)
    {
        using var activity = GaterTelemetry.Source.StartActivity("exesdbgater receive", ActivityKind.Consumer);
        var result = Verifier.Verify(frame.Span, instance, topic);
        if (!result.IsOk)
        {
            return (null, 0, null);
        }
        var env = result.Envelope!;
        if (env.Epoch == Epoch && string.Equals(env.Node, Node, StringComparison.Ordinal))
        {
            // our own frame back from the backplane: local subscribers already have it
            Interlocked.Increment(ref _echoes);
            return (null, 0, null);
        }
        Interlocked.Increment(ref _verified);
        TrackSequence(env);
        var delivery = new Delivery(env, result.Message!, local: false);
        var subs = Volatile.Read(ref _subs[(int)instance]);
        var n = TryDeliver(subs, topic, delivery, null, out var stoppedAt);
        Counted(n);
        return stoppedAt >= 0 ? (delivery, stoppedAt, subs) : (null, 0, null);
    }

    private void TrackSequence(Envelope env)
    {
        var key = (env.Node, env.Instance, env.Topic);
        if (_sequences.TryGetValue(key, out var last) && last.Epoch == env.Epoch)
        {
            if (env.Seq > last.Seq + 1)
            {
                var gap = new SequenceGap(env.Node, env.Epoch, env.Instance, env.Topic, last.Seq + 1, env.Seq);
                Interlocked.Add(ref _gaps, gap.Missing);
                GaterTelemetry.Gaps.Add(gap.Missing);
                LogGap(_logger, gap.Missing, env.Node, env.Instance.WireName(), env.Topic);
                Raise(GapDetected, gap);
            }
            if (env.Seq <= last.Seq)
            {
                return;
            }
        }
        else if (_sequences.Count >= 100_000)
        {
            // bounded memory: forget every publisher's position rather than grow without limit
            _sequences.Clear();
        }
        _sequences[key] = (env.Epoch, env.Seq);
    }

    private void OnRejected(FrameRejection rejection)
    {
        GaterTelemetry.Rejected.Add(1, new KeyValuePair<string, object?>("reason", rejection.Reason.WireName()));
        Raise(FrameRejected, rejection);
        Delivery? d = null;
        foreach (var s in Volatile.Read(ref _subs[(int)rejection.Instance]))
        {
            if (s.IncludeRejections && s.Matches(rejection.Topic))
            {
                s.TryEnqueue(d ??= new Delivery(rejection));
            }
        }
    }

    private void OnBackplaneState(BackplaneStateChange change)
    {
        LogBackplane(_logger, change.State.ToString(), change.Detail);
        Raise(BackplaneStateChanged, change);
    }

    internal void ReportDrop(Subscription sub)
    {
        Interlocked.Increment(ref _dropped);
        GaterTelemetry.Dropped.Add(1);
        Raise(SlowConsumerDetected, new SlowConsumer(sub.Name, sub.Dropped));
    }

    // Observers run on the receiving thread; one that throws is logged and never stops delivery.
    private void Raise<T>(Action<T>? observers, T arg)
    {
        if (observers is null)
        {
            return;
        }
        try
        {
            observers(arg);
        }
#pragma warning disable CA1031
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHandlerFailed(_logger, ex, typeof(T).Name + " observer");
        }
    }

    internal void ReportHandlerFailure(Subscription sub, Delivery delivery, Exception ex)
    {
        Interlocked.Increment(ref _handlerErrors);
        LogHandlerFailed(_logger, ex, sub.Name);
        try
        {
            HandlerFailed?.Invoke(new HandlerFailure(sub.Name, delivery, ex));
        }
#pragma warning disable CA1031 // an observer's own failure must not stop delivery
        catch (Exception observerEx)
#pragma warning restore CA1031
        {
            LogHandlerFailed(_logger, observerEx, "HandlerFailed observer");
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
        foreach (var s in _backplaneSubs)
        {
            if (s is not null)
            {
                await s.DisposeAsync().ConfigureAwait(false);
            }
        }
        _inbound.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _receiveLoop.ConfigureAwait(false);
        foreach (var s in _subs.SelectMany(x => x).ToArray())
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Missing} frame(s) lost from {Node} on {Instance} {Topic}")]
    private static partial void LogGap(ILogger logger, long missing, string node, string instance, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backplane {State}: {Detail}")]
    private static partial void LogBackplane(ILogger logger, string state, string? detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler of {Subscription} threw")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string subscription);

    private sealed class TopicState
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public long Seq;
    }

    private readonly record struct Inbound(GaterInstance Instance, string Topic, ReadOnlyMemory<byte> Frame, Delivery? Pending, int From, Subscription[]? Subs);
}

using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace ExEsdbGater.Bus;

/// <summary>One subscriber: its bounded queue and, for handler subscriptions, the loop that drains it.</summary>
internal sealed class Subscription : IGaterStream
{
    private readonly GaterBusCore _bus;
    private readonly Channel<Delivery> _channel;
    private readonly Func<Delivery, CancellationToken, ValueTask>? _handler;
    // The handler call's scope on this logical flow: lets a publish made from inside a handler see that waiting for
    // room in that same queue (or in a cycle of queues) would wait forever. Set per call and only by Wait-mode
    // subscriptions (RunAsync): changing an AsyncLocal builds a new ExecutionContext (with the scope, 104 bytes here).
    private static readonly AsyncLocal<HandlerScope?> s_running = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly QueueFullMode _fullMode;
    private readonly int _capacity;
    private readonly bool _exact;
    private Task? _loop;
    // written on every delivery, by publishers and by the handler loop: apart from the fields publishers read
    private Counters _counters;
    private long _dropped;
    private long _queueDropped;
    private int _disposed;

    public Subscription(GaterBusCore bus, GaterInstance instance, string pattern, SubscriptionOptions options, Func<Delivery, CancellationToken, ValueTask>? handler)
    {
        if (!TopicPattern.IsValid(pattern))
        {
            throw new ArgumentException($"'{pattern}' is not a valid topic or pattern (1-255 UTF-8 bytes, no control characters).", nameof(pattern));
        }
        OptionsCheck.Subscription(options);
        _capacity = options.Capacity;
        _bus = bus;
        Instance = instance;
        Pattern = pattern;
        Name = options.Name ?? $"{instance.WireName()} {pattern}";
        IncludeRejections = options.IncludeRejections;
        _exact = !pattern.Contains('*', StringComparison.Ordinal);
        _fullMode = options.FullMode;
        _handler = handler;
        var mode = options.FullMode switch
        {
            QueueFullMode.Wait => BoundedChannelFullMode.Wait,
            QueueFullMode.DropOldest => BoundedChannelFullMode.DropOldest,
            QueueFullMode.DropNewest => BoundedChannelFullMode.DropWrite,
            _ => BoundedChannelFullMode.Wait, // unreachable: checked above
        };
        _channel = Channel.CreateBounded<Delivery>(
            new BoundedChannelOptions(options.Capacity) { FullMode = mode, SingleReader = true, AllowSynchronousContinuations = false },
            OnDropped);
    }

    public GaterInstance Instance { get; }

    public string Pattern { get; }

    public string Name { get; }

    public bool IncludeRejections { get; }

    public long Enqueued => _counters.Enqueued.Total;

    public long Dropped => Interlocked.Read(ref _dropped);

    public int QueueDepth => _channel.Reader.CanCount ? _channel.Reader.Count : 0;

    public ChannelReader<Delivery> Reader => _channel.Reader;

    /// <summary>The subscription whose handler is running now on this flow (a publish from inside it), if any.</summary>
    public static Subscription? RunningHandler
    {
        get
        {
            var scope = s_running.Value;
            return scope is not null && Volatile.Read(ref scope.Sub._counters.Call) == Volatile.Read(ref scope.Call) ? scope.Sub : null;
        }
    }

    /// <summary>
    /// Clears a handler call's mark that a loop inherited with its flow. Every long-lived loop the bus starts calls
    /// this first: one started from inside a handler's call (a subscribe, or a bus created there) would otherwise
    /// read as that call while it runs, be refused waits it may make, and overwrite that handler's edge in the
    /// wait-for graph.
    /// </summary>
    public static void ClearRunningHandler() => s_running.Value = null;

    /// <summary>True when a full queue makes publishers wait for room.</summary>
    public bool WaitsWhenFull => _fullMode == QueueFullMode.Wait;

    // The wait-for graph of handlers: a handler blocked publishing into another subscription's full queue.
    private static readonly Lock s_waitGraph = new();
    private Subscription? _waitingOn;

    /// <summary>
    /// True when the handler of <paramref name="waiter"/> waiting for room in <paramref name="target"/> would never end:
    /// the target is the waiter itself, or its handler waits (through others) on the waiter.
    /// </summary>
    public static bool WaitWouldCycle(Subscription target, Subscription waiter)
    {
        lock (s_waitGraph)
        {
            return ReachesLocked(target, waiter);
        }
    }

    private static bool ReachesLocked(Subscription from, Subscription to)
    {
        var s = from;
        for (var steps = 0; s is not null && steps < 1024; steps++)
        {
            if (ReferenceEquals(s, to))
            {
                return true;
            }
            s = s._waitingOn;
        }
        return false;
    }

    /// <summary>Records that <paramref name="waiter"/>'s handler now waits on <paramref name="target"/>, unless that closes a cycle.</summary>
    public static bool TryBeginWait(Subscription waiter, Subscription target)
    {
        lock (s_waitGraph)
        {
            if (ReachesLocked(target, waiter))
            {
                return false;
            }
            waiter._waitingOn = target;
            return true;
        }
    }

    /// <summary>Ends a wait begun with <see cref="TryBeginWait"/>.</summary>
    public static void EndWait(Subscription waiter)
    {
        lock (s_waitGraph)
        {
            waiter._waitingOn = null;
        }
    }

    /// <summary>
    /// True when a handler subscription has handled everything queued (a stream is always idle: its reader is not ours).
    /// Counts, not the queue's depth: an item already taken from the queue but not yet handled keeps it busy.
    /// </summary>
    public bool IsIdle => _handler is null || _counters.Enqueued.Total == Interlocked.Read(ref _counters.Handled) + Interlocked.Read(ref _queueDropped);

    /// <summary>Unsubscribes, waits for the handler to return, and counts what is left in the queue as dropped.</summary>
    public async ValueTask<int> CloseAndCountRemainingAsync()
    {
        await DisposeAsync().ConfigureAwait(false);
        var left = 0;
        while (_channel.Reader.TryRead(out _))
        {
            left++;
        }
        Interlocked.Add(ref _dropped, left);
        return left;
    }

    /// <summary>True when the queue has no room left.</summary>
    public bool IsFull => _channel.Reader.CanCount && _channel.Reader.Count >= _capacity;

    public bool Matches(string topic) => _exact ? string.Equals(Pattern, topic, StringComparison.Ordinal) : TopicPattern.Matches(Pattern, topic);

    public bool TryEnqueue(Delivery d)
    {
        if (!_channel.Writer.TryWrite(d))
        {
            return false;
        }
        _counters.Enqueued.Increment();
        return true;
    }

    /// <summary>Waits for room; false when the subscription closed meanwhile.</summary>
    public async ValueTask<bool> EnqueueAsync(Delivery d, CancellationToken ct)
    {
        try
        {
            await _channel.Writer.WriteAsync(d, ct).ConfigureAwait(false);
            _counters.Enqueued.Increment();
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    public void Start()
    {
        if (_handler is not null)
        {
            _loop = Task.Run(RunAsync);
        }
    }

    /// <summary>Counts and reports a delivery that could not be queued without waiting on its own handler.</summary>
    public void CountDrop() => OnDropped(null);

    private void OnDropped(Delivery? d)
    {
        if (d is not null)
        {
            // dropped from the queue after being counted as enqueued (not a delivery refused before it)
            Interlocked.Increment(ref _queueDropped);
        }
        Interlocked.Increment(ref _dropped);
        _bus.ReportDrop(this);
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var ct = _cts.Token;
        // Calls are numbered odd while running (Counters.Call == call), even between them; a scope is inside the running
        // call when its Call is that number. Flows a call leaves behind (continuations, work it started) carry its
        // scope, so each call gets a scope of its own: handed-off work reads as outside once its call returned, and
        // may wait for room like any publisher (the documented way out of GaterReentrancyException). A scope per
        // loop saved this allocation but refused such work while a later call ran (found in review).
        //
        // Only a Wait-mode queue ever makes a publisher wait, so only a Wait-mode subscription's handler can be part of
        // a wait that never ends (nobody waits on any other queue). Other handlers carry no mark, and their calls
        // allocate nothing for it; a mark this loop inherited (subscribed from inside a handler) is cleared.
        var scope = _fullMode == QueueFullMode.Wait ? new HandlerScope(this) : null;
        s_running.Value = scope;
        try
        {
            // An uncancellable wait reuses one waiter instead of allocating per wait; disposal completes the channel.
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false) && !ct.IsCancellationRequested)
            {
                // once closed, stop after the current item: what is left is counted by whoever closed it
                while (!ct.IsCancellationRequested && reader.TryRead(out var d))
                {
                    // only this loop writes Call and Handled
                    var call = _counters.Call + 1;
                    if (scope is not null)
                    {
                        Volatile.Write(ref scope.Call, call);
                    }
                    Volatile.Write(ref _counters.Call, call);
                    try
                    {
                        await _handler!(d, ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        return;
                    }
#pragma warning disable CA1031 // a throwing handler is isolated and reported, never propagated
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        _bus.ReportHandlerFailure(this, d, ex);
                    }
                    finally
                    {
                        // the call is over: work it started and left running is no longer "inside" it
                        Volatile.Write(ref _counters.Call, call + 1);
                        Volatile.Write(ref _counters.Handled, _counters.Handled + 1);
                        if (scope is not null)
                        {
                            scope = new HandlerScope(this);
                            s_running.Value = scope;
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Cache lines for publishers' counts and one for the loop's: sharing a line with each other, or with the fields
    /// every publisher reads (the queue, the pattern), would move it between cores on every delivery.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 272)]
    private struct Counters
    {
        // two receive lanes (or a lane and a local publisher) on processors of different parity count in two lines
        [FieldOffset(0)] public StripedCounter Enqueued;
        [FieldOffset(192)] public long Call;
        [FieldOffset(200)] public long Handled;
    }

    /// <summary>A handler loop's mark on its flow and the flows it starts: inside the call numbered <see cref="Call"/>.</summary>
    private sealed class HandlerScope(Subscription sub)
    {
        public readonly Subscription Sub = sub;
        // -1 until its first call: never a call's number
        public long Call = -1;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _bus.Remove(this);
        _channel.Writer.TryComplete();
        _cts.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        Dispose();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _cts.Dispose();
    }
}

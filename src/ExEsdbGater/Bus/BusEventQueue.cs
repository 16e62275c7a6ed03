using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Bus;

/// <summary>
/// Raises a bus's events on one task of their own, in order, so that observers never run on a receiving or
/// publishing thread or under an internal lock (the shape of NATS.Net's connection event channel).
/// </summary>
internal sealed partial class BusEventQueue : IAsyncDisposable
{
    private readonly Channel<Action> _events;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private long _dropped;

    public BusEventQueue(int capacity, ILogger logger)
    {
        _logger = logger;
        _events = Channel.CreateBounded<Action>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Events dropped because observers fell a whole queue behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues one event for its observers (a snapshot of the delegate taken now); no-op without observers.</summary>
    public void Post<T>(Action<T>? observers, T arg)
    {
        if (observers is not null)
        {
            _events.Writer.TryWrite(() => RaiseEach(observers, arg));
        }
    }

    // Each observer on its own: one that throws is logged and the others still hear the event.
    private void RaiseEach<T>(Action<T> observers, T arg)
    {
        foreach (var observer in observers.GetInvocationList())
        {
            try
            {
                ((Action<T>)observer)(arg);
            }
#pragma warning disable CA1031 // an observer's failure is logged and never reaches the bus
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogObserverFailed(_logger, ex);
            }
        }
    }

    private async Task RunAsync()
    {
        Subscription.ClearRunningHandler();
        await foreach (var raise in _events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            raise();
        }
    }

    /// <summary>Raises what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A bus event observer threw")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception);
}

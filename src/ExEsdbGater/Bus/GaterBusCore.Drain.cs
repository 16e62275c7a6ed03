using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Bus;

// Draining at shutdown: stop receiving, let handlers finish what is queued, count whatever is left as dropped.
internal sealed partial class GaterBusCore
{
    private long _inboundAbandoned;

    // the counters run ahead of the queues for an instant while a delivery is refused: never report beyond the bounds
    internal BusBacklog Backlog => new((int)Math.Clamp(Interlocked.Read(ref _inboundCount), 0, _inboundCapacity),
        Math.Clamp(Interlocked.Read(ref _inboundBytes), 0, _inboundMaxBytes), QueueDepth);

    internal async ValueTask<DrainReport> DrainAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        // nothing new from other nodes: what is already here is what must be delivered
        await DisposeBackplaneSubscriptionsAsync().ConfigureAwait(false);
        await DisposeLinkSubscriptionsAsync().ConfigureAwait(false);
        var completed = true;
        while (!IsDrained())
        {
            try
            {
                // shutdown only: a short poll is simpler than a signal from every queue
                await Task.Delay(5, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                completed = false;
                break;
            }
        }
        long abandoned = 0;
        if (!completed)
        {
            // frames not yet verified and deliveries behind a full subscriber: counted as inbound drops
            abandoned += await StopLanesAsync().ConfigureAwait(false);
        }
        foreach (var s in _subs.SelectMany(x => x).ToArray())
        {
            var left = await s.CloseAndCountRemainingAsync().ConfigureAwait(false);
            if (left > 0)
            {
                Interlocked.Add(ref _dropped, left);
                _events.Post(SlowConsumerDetected, new SlowConsumer(s.Name, s.Dropped));
                abandoned += left;
            }
        }
        if (abandoned > 0)
        {
            GaterTelemetry.Dropped.Add(abandoned, new KeyValuePair<string, object?>("queue", "shutdown"));
            LogAbandoned(_logger, abandoned);
        }
        return new DrainReport(completed, abandoned);
    }

    private bool IsDrained()
    {
        if (!LanesIdle())
        {
            return false;
        }
        foreach (var s in _subs.SelectMany(x => x))
        {
            if (!s.IsIdle)
            {
                return false;
            }
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown: {Abandoned} queued deliveries were not handled in time and are counted as dropped")]
    private static partial void LogAbandoned(ILogger logger, long abandoned);
}

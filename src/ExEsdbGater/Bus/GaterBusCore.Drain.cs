using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Bus;

// Draining at shutdown: stop receiving, let handlers finish what is queued, count whatever is left as dropped.
internal sealed partial class GaterBusCore
{
    private long _inboundAbandoned;

    internal BusBacklog Backlog => new(_inbound.Reader.CanCount ? _inbound.Reader.Count : 0, Interlocked.Read(ref _inboundBytes), QueueDepth);

    internal async ValueTask<DrainReport> DrainAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        // nothing new from other nodes: what is already here is what must be delivered
        await DisposeBackplaneSubscriptionsAsync().ConfigureAwait(false);
        await DisposeBridgeSubscriptionsAsync().ConfigureAwait(false);
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
            _inbound.Writer.TryComplete();
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _receiveLoop.ConfigureAwait(false);
            var inbound = Interlocked.Exchange(ref _inboundAbandoned, 0);
            while (_inbound.Reader.TryRead(out var item))
            {
                Interlocked.Add(ref _inboundBytes, -item.Bytes);
                inbound++;
            }
            Interlocked.Add(ref _inboundDropped, inbound);
            abandoned += inbound;
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
        lock (_receiveLock)
        {
            if (_draining)
            {
                return false;
            }
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

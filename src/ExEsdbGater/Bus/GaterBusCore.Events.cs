using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Bus;

// Events and counters: everything observers see goes through the event queue, never raised under a lock.
internal sealed partial class GaterBusCore
{
    private readonly BusEventQueue _events;

    public event Action<FrameRejection>? FrameRejected;

    public event Action<SequenceGap>? GapDetected;

    public event Action<SlowConsumer>? SlowConsumerDetected;

    public event Action<HandlerFailure>? HandlerFailed;

    public event Action<BackplaneStateChange>? BackplaneStateChanged;

    private void OnRejected(FrameRejection rejection)
    {
        GaterTelemetry.Rejected.Add(1, new KeyValuePair<string, object?>("reason", rejection.Reason.WireName()));
        _events.Post(FrameRejected, rejection);
        Delivery? d = null;
        foreach (var s in Volatile.Read(ref _subs[(int)rejection.Instance]))
        {
            if (s.IncludeRejections && s.Matches(rejection.Topic))
            {
                s.TryEnqueue(d ??= new Delivery(rejection));
            }
        }
    }

    private void OnGap(SequenceGap gap)
    {
        Interlocked.Add(ref _gaps, gap.Missing);
        GaterTelemetry.Gaps.Add(gap.Missing);
        LogGap(_logger, gap.Missing, gap.Node, gap.Instance.WireName(), gap.Topic);
        _events.Post(GapDetected, gap);
    }

    private void OnBackplaneState(BackplaneStateChange change)
    {
        LogBackplane(_logger, change.State.ToString(), change.Detail);
        _events.Post(BackplaneStateChanged, change);
    }

    internal void ReportDrop(Subscription sub)
    {
        Interlocked.Increment(ref _dropped);
        GaterTelemetry.Dropped.Add(1, new KeyValuePair<string, object?>("queue", "subscriber"));
        _events.Post(SlowConsumerDetected, new SlowConsumer(sub.Name, sub.Dropped));
    }

    internal void ReportHandlerFailure(Subscription sub, Delivery delivery, Exception ex)
    {
        Interlocked.Increment(ref _handlerErrors);
        LogHandlerFailed(_logger, ex, sub.Name);
        _events.Post(HandlerFailed, new HandlerFailure(sub.Name, delivery, ex));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Missing} frame(s) lost from {Node} on {Instance} {Topic}")]
    private static partial void LogGap(ILogger logger, long missing, string node, string instance, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound queue full: dropped seq {Seq} from {Node} on {Instance} {Topic}")]
    private static partial void LogInboundDropped(ILogger logger, string node, string instance, string topic, long seq);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backplane {State}: {Detail}")]
    private static partial void LogBackplane(ILogger logger, string state, string? detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler of {Subscription} threw")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string subscription);
}

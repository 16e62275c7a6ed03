using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ExEsdbGater;

/// <summary>The names under which the library reports metrics and traces.</summary>
public static class GaterTelemetry
{
    /// <summary>The <see cref="Meter"/> and <see cref="ActivitySource"/> name: <c>ExEsdbGater</c>.</summary>
    public const string Name = "ExEsdbGater";

    internal static readonly Meter Meter = new(Name, "1.0");
    internal static readonly ActivitySource Source = new(Name, "1.0");

    internal static readonly Counter<long> Published = Meter.CreateCounter<long>("exesdbgater.published", "{message}", "Messages broadcast by this process.");
    internal static readonly Counter<long> Delivered = Meter.CreateCounter<long>("exesdbgater.delivered", "{delivery}", "Messages enqueued to local subscribers.");
    internal static readonly Counter<long> Rejected = Meter.CreateCounter<long>("exesdbgater.rejected", "{frame}", "Frames rejected, by reason.");
    internal static readonly Counter<long> Dropped = Meter.CreateCounter<long>("exesdbgater.dropped", "{delivery}", "Deliveries dropped by full queues, by queue (subscriber, inbound, shutdown, redis_receive).");
    internal static readonly Counter<long> Gaps = Meter.CreateCounter<long>("exesdbgater.gaps", "{frame}", "Frames missing according to sequence numbers.");

    private static readonly ConcurrentDictionary<GaterBusCore, byte> LiveBuses = new();

    static GaterTelemetry()
    {
        Meter.CreateObservableGauge("exesdbgater.queue_depth", ObserveQueueDepth, "{delivery}", "Deliveries waiting in subscriber queues.");
    }

    internal static void Track(GaterBusCore bus) => LiveBuses.TryAdd(bus, 0);

    internal static void Untrack(GaterBusCore bus) => LiveBuses.TryRemove(bus, out _);

    private static IEnumerable<Measurement<long>> ObserveQueueDepth()
        => LiveBuses.Keys.Select(b => new Measurement<long>(b.QueueDepth, new KeyValuePair<string, object?>("node", b.Node)));
}

namespace ExEsdbGater.Hosting;

/// <summary>Thresholds of the bus's health checks (see <see cref="GaterHealthChecksBuilderExtensions.AddExEsdbGater"/>).</summary>
public sealed class GaterHealthCheckOptions
{
    /// <summary>How far back rejections and drops are counted.</summary>
    /// <value>Default 1 minute.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Rejected frames (forged, replayed, expired, …) in the window that make the bus degraded: a security signal.</summary>
    /// <value>Default 1.</value>
    public long RejectionsDegraded { get; set; } = 1;

    /// <summary>Rejected frames in the window that make it unhealthy.</summary>
    /// <value>Default 1,000.</value>
    public long RejectionsUnhealthy { get; set; } = 1000;

    /// <summary>Deliveries dropped by full queues (slow consumers, inbound queue) in the window that make it degraded.</summary>
    /// <value>Default 1.</value>
    public long DropsDegraded { get; set; } = 1;

    /// <summary>The inbound backlog, as a share of <see cref="GaterHostOptions.InboundCapacity"/>, that makes it degraded.</summary>
    /// <value>Default 0.5.</value>
    public double InboundBacklogDegraded { get; set; } = 0.5;

    /// <summary>The inbound backlog share that makes it unhealthy.</summary>
    /// <value>Default 0.9.</value>
    public double InboundBacklogUnhealthy { get; set; } = 0.9;

    /// <summary>Tags of the readiness check (backplane connected, traffic within thresholds).</summary>
    /// <value>Default <c>ready</c>.</value>
    public IList<string> ReadyTags { get; } = ["ready"];

    /// <summary>Tags of the liveness check (the bus is running).</summary>
    /// <value>Default <c>live</c>.</value>
    public IList<string> LiveTags { get; } = ["live"];
}

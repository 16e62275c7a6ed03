namespace ExEsdbGater;

/// <summary>The ten PubSub instances of the cluster.</summary>
public enum GaterInstance
{
    /// <summary><c>ex_esdb_system</c>: configuration, system start/stop, feature toggles.</summary>
    System,
    /// <summary><c>ex_esdb_health</c>: node, cluster and component health.</summary>
    Health,
    /// <summary><c>ex_esdb_metrics</c>: performance, throughput, latency, resources.</summary>
    Metrics,
    /// <summary><c>ex_esdb_lifecycle</c>: node, process, supervision and membership events.</summary>
    Lifecycle,
    /// <summary><c>ex_esdb_security</c>: authentication, violations, security alerts, sessions.</summary>
    Security,
    /// <summary><c>ex_esdb_audit</c>: data changes, admin actions, access logs, compliance.</summary>
    Audit,
    /// <summary><c>ex_esdb_alerts</c>: alerts, acknowledgements, escalations, notifications.</summary>
    Alerts,
    /// <summary><c>ex_esdb_diagnostics</c>: traces, analyses, snapshots.</summary>
    Diagnostics,
    /// <summary><c>ex_esdb_logging</c>: log entries, summaries, filters, rotations.</summary>
    Logging,
    /// <summary><c>ex_esdb_events</c>: application-defined event-store data.</summary>
    Events,
}

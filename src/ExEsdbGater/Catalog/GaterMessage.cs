using System.Text.Json.Serialization;

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

/// <summary>Wire names of <see cref="GaterInstance"/> values.</summary>
public static class GaterInstances
{
    private static readonly string[] Names =
    [
        "ex_esdb_system", "ex_esdb_health", "ex_esdb_metrics", "ex_esdb_lifecycle", "ex_esdb_security",
        "ex_esdb_audit", "ex_esdb_alerts", "ex_esdb_diagnostics", "ex_esdb_logging", "ex_esdb_events",
    ];

    /// <summary>All ten instances.</summary>
    public static IReadOnlyList<GaterInstance> All { get; } = Enum.GetValues<GaterInstance>();

    /// <summary>The wire name, e.g. <c>ex_esdb_health</c>.</summary>
    public static string WireName(this GaterInstance instance)
        => (uint)instance < (uint)Names.Length ? Names[(int)instance] : throw new ArgumentOutOfRangeException(nameof(instance));

    /// <summary>Parses a wire name.</summary>
    public static bool TryParse(string? name, out GaterInstance instance)
    {
        var i = name is null ? -1 : Array.IndexOf(Names, name);
        instance = i >= 0 ? (GaterInstance)i : default;
        return i >= 0;
    }

    internal static bool TryParse(ReadOnlySpan<byte> utf8, out GaterInstance instance)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (System.Text.Ascii.Equals(utf8, Names[i]))
            {
                instance = (GaterInstance)i;
                return true;
            }
        }
        instance = default;
        return false;
    }
}

/// <summary>A message payload of the catalog: an immutable record with a wire tag.</summary>
public abstract record GaterMessage
{
    /// <summary>The message tag on the wire (the frame's <c>type</c>).</summary>
    [JsonIgnore]
    public abstract string Tag { get; }

    /// <summary>The instance this message type belongs to.</summary>
    [JsonIgnore]
    public abstract GaterInstance Instance { get; }
}

/// <summary>An application-defined message of the <c>ex_esdb_events</c> instance: any type, any object payload.</summary>
/// <param name="Type">The message type, <c>[a-z][a-z0-9_]{0,63}</c>.</param>
/// <param name="Payload">The payload object.</param>
public sealed record ApplicationEvent(string Type, JsonMap Payload) : GaterMessage
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => Type;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Events;
}

// Enums shared by more than one message module.
using System.Text.Json.Serialization;

namespace ExEsdbGater;

/// <summary>The health of a cluster or a component. On the wire: healthy, degraded, unhealthy.</summary>
[JsonConverter(typeof(SnakeEnumConverter<HealthStatus>))]
public enum HealthStatus
{
    /// <summary><c>healthy</c></summary>
    Healthy,
    /// <summary><c>degraded</c></summary>
    Degraded,
    /// <summary><c>unhealthy</c></summary>
    Unhealthy
}

/// <summary>Whether the cluster has quorum. On the wire: available, lost.</summary>
[JsonConverter(typeof(SnakeEnumConverter<QuorumStatus>))]
public enum QuorumStatus
{
    /// <summary><c>available</c></summary>
    Available,
    /// <summary><c>lost</c></summary>
    Lost
}

/// <summary>A four-step severity. On the wire: low, medium, high, critical.</summary>
[JsonConverter(typeof(SnakeEnumConverter<Severity>))]
public enum Severity
{
    /// <summary><c>low</c></summary>
    Low,
    /// <summary><c>medium</c></summary>
    Medium,
    /// <summary><c>high</c></summary>
    High,
    /// <summary><c>critical</c></summary>
    Critical
}

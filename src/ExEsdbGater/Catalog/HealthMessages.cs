// The HealthMessages catalog: its enums, payload records, factories and validators.
using System.Text.Json.Serialization;

namespace ExEsdbGater;

/// <summary>The health of one node. On the wire: healthy, degraded, unhealthy, unknown.</summary>
[JsonConverter(typeof(SnakeEnumConverter<NodeHealthStatus>))]
public enum NodeHealthStatus
{
    /// <summary><c>healthy</c></summary>
    Healthy,
    /// <summary><c>degraded</c></summary>
    Degraded,
    /// <summary><c>unhealthy</c></summary>
    Unhealthy,
    /// <summary><c>unknown</c></summary>
    Unknown
}

/// <summary>The outcome of a health check. On the wire: pass, fail, timeout.</summary>
[JsonConverter(typeof(SnakeEnumConverter<HealthCheckResult>))]
public enum HealthCheckResult
{
    /// <summary><c>pass</c></summary>
    Pass,
    /// <summary><c>fail</c></summary>
    Fail,
    /// <summary><c>timeout</c></summary>
    Timeout
}

/// <summary>The <c>node_health_updated</c> message of <c>ex_esdb_health</c>.</summary>
/// <param name="Node">Node name.</param>
/// <param name="Status">The status.</param>
/// <param name="Checks">Individual health check results.</param>
/// <param name="LoadAvg">System load average.</param>
/// <param name="MemoryUsage">Memory usage percentage.</param>
/// <param name="DiskUsage">Disk usage percentage.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record NodeHealth(string Node, NodeHealthStatus Status, JsonMap? Checks, double? LoadAvg, double? MemoryUsage, double? DiskUsage, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "node_health_updated";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Health;
}

/// <summary>The <c>cluster_health_updated</c> message of <c>ex_esdb_health</c>.</summary>
/// <param name="Status">The status.</param>
/// <param name="HealthyNodes">Count of healthy nodes.</param>
/// <param name="TotalNodes">Total nodes in cluster.</param>
/// <param name="DegradedNodes">List of degraded nodes.</param>
/// <param name="UnhealthyNodes">List of unhealthy nodes.</param>
/// <param name="QuorumStatus">The quorum status.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
/// <param name="Node">The node where the message originated (added: the original has no node field here).</param>
public sealed record ClusterHealth(HealthStatus Status, long HealthyNodes, long TotalNodes, ValueList<string>? DegradedNodes, ValueList<string>? UnhealthyNodes, QuorumStatus? QuorumStatus, DateTimeOffset Timestamp, string Node) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "cluster_health_updated";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Health;
}

/// <summary>The <c>component_health_updated</c> message of <c>ex_esdb_health</c>.</summary>
/// <param name="Component">Component name.</param>
/// <param name="Node">Node where component is running.</param>
/// <param name="Status">The status.</param>
/// <param name="Details">Component-specific health info.</param>
/// <param name="LastCheck">When last checked.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record ComponentHealth(string Component, string Node, HealthStatus Status, JsonMap? Details, DateTimeOffset? LastCheck, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "component_health_updated";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Health;
}

/// <summary>The <c>health_check_completed</c> message of <c>ex_esdb_health</c>.</summary>
/// <param name="CheckName">Name of the health check.</param>
/// <param name="Node">Node where check ran.</param>
/// <param name="Result">The result.</param>
/// <param name="DurationMs">How long check took.</param>
/// <param name="Details">Check-specific details.</param>
/// <param name="Error">Error message if failed.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record HealthCheck(string CheckName, string Node, HealthCheckResult Result, long? DurationMs, JsonMap? Details, string? Error, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "health_check_completed";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Health;
}

/// <summary>Factories, validators and topics of the <c>ex_esdb_health</c> instance.</summary>
public static partial class HealthMessages
{
    /// <summary>The instance these messages travel on.</summary>
    public const GaterInstance Instance = GaterInstance.Health;

    /// <summary>The payload types of this module, in catalog order.</summary>
    public static IReadOnlyList<Type> PayloadTypes { get; } = [typeof(NodeHealth), typeof(ClusterHealth), typeof(ComponentHealth), typeof(HealthCheck)];

    /// <summary>Creates a <see cref="ExEsdbGater.NodeHealth"/> (<c>node_health</c>); unset options take the catalog defaults.</summary>
    /// <param name="node">Node name.</param>
    /// <param name="status">The status.</param>
    /// <param name="checks">Individual health check results. Default: option `checks`, else empty map.</param>
    /// <param name="loadAvg">System load average. Default: option `load_avg`, else null.</param>
    /// <param name="memoryUsage">Memory usage percentage. Default: option `memory_usage`, else null.</param>
    /// <param name="diskUsage">Disk usage percentage. Default: option `disk_usage`, else null.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static NodeHealth NodeHealth(
        string node,
        NodeHealthStatus status,
        JsonMap? checks = null,
        double? loadAvg = null,
        double? memoryUsage = null,
        double? diskUsage = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var ctx = messageContext ?? MessageContext.Default;
        return new NodeHealth(
            node,
            status,
            checks ?? JsonMap.Empty,
            loadAvg,
            memoryUsage,
            diskUsage,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.NodeHealth"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(NodeHealth message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.ClusterHealth"/> (<c>cluster_health</c>); unset options take the catalog defaults.</summary>
    /// <param name="status">The status.</param>
    /// <param name="healthyNodes">Count of healthy nodes.</param>
    /// <param name="totalNodes">Total nodes in cluster.</param>
    /// <param name="degradedNodes">List of degraded nodes. Default: option `degraded_nodes`, else empty list.</param>
    /// <param name="unhealthyNodes">List of unhealthy nodes. Default: option `unhealthy_nodes`, else empty list.</param>
    /// <param name="quorumStatus">The quorum status. Default: option `quorum_status`, else :available.</param>
    /// <param name="node">The node where the message originated (added: the original has no node field here). Default: this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static ClusterHealth ClusterHealth(
        HealthStatus status,
        long healthyNodes,
        long totalNodes,
        ValueList<string>? degradedNodes = null,
        ValueList<string>? unhealthyNodes = null,
        QuorumStatus? quorumStatus = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        var ctx = messageContext ?? MessageContext.Default;
        return new ClusterHealth(
            status,
            healthyNodes,
            totalNodes,
            degradedNodes ?? ValueList<string>.Empty,
            unhealthyNodes ?? ValueList<string>.Empty,
            quorumStatus ?? QuorumStatus.Available,
            ctx.Now(),
            node ?? ctx.Node);
    }

    /// <summary>Checks a <see cref="ExEsdbGater.ClusterHealth"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(ClusterHealth message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.ComponentHealth"/> (<c>component_health</c>); unset options take the catalog defaults.</summary>
    /// <param name="component">Component name.</param>
    /// <param name="node">Node where component is running.</param>
    /// <param name="status">The status.</param>
    /// <param name="details">Component-specific health info. Default: option `details`, else empty map.</param>
    /// <param name="lastCheck">When last checked. Default: option `last_check`, else null.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static ComponentHealth ComponentHealth(
        string component,
        string node,
        HealthStatus status,
        JsonMap? details = null,
        DateTimeOffset? lastCheck = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(node);
        var ctx = messageContext ?? MessageContext.Default;
        return new ComponentHealth(
            component,
            node,
            status,
            details ?? JsonMap.Empty,
            lastCheck,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.ComponentHealth"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(ComponentHealth message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.HealthCheck"/> (<c>health_check</c>); unset options take the catalog defaults.</summary>
    /// <param name="checkName">Name of the health check.</param>
    /// <param name="node">Node where check ran.</param>
    /// <param name="result">The result.</param>
    /// <param name="durationMs">How long check took. Default: option `duration_ms`, else null.</param>
    /// <param name="details">Check-specific details. Default: option `details`, else empty map.</param>
    /// <param name="error">Error message if failed. Default: option `error`, else null.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static HealthCheck HealthCheck(
        string checkName,
        string node,
        HealthCheckResult result,
        long? durationMs = null,
        JsonMap? details = null,
        string? error = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(checkName);
        ArgumentNullException.ThrowIfNull(node);
        var ctx = messageContext ?? MessageContext.Default;
        return new HealthCheck(
            checkName,
            node,
            result,
            durationMs,
            details ?? JsonMap.Empty,
            error,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.HealthCheck"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(HealthCheck message) => MessageValidator.Validate(message);

}

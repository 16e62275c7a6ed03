// The MetricsMessages catalog: its enums, payload records, factories and validators.
using System.Text.Json.Serialization;

namespace ExEsdbGater;

/// <summary>Which statistic a latency is. On the wire: p50, p95, p99, max, min, avg.</summary>
[JsonConverter(typeof(SnakeEnumConverter<LatencyPercentile>))]
public enum LatencyPercentile
{
    /// <summary><c>p50</c></summary>
    P50,
    /// <summary><c>p95</c></summary>
    P95,
    /// <summary><c>p99</c></summary>
    P99,
    /// <summary><c>max</c></summary>
    Max,
    /// <summary><c>min</c></summary>
    Min,
    /// <summary><c>avg</c></summary>
    Avg
}

/// <summary>A kind of machine resource. On the wire: cpu, memory, disk, network.</summary>
[JsonConverter(typeof(SnakeEnumConverter<ResourceType>))]
public enum ResourceType
{
    /// <summary><c>cpu</c></summary>
    Cpu,
    /// <summary><c>memory</c></summary>
    Memory,
    /// <summary><c>disk</c></summary>
    Disk,
    /// <summary><c>network</c></summary>
    Network
}

/// <summary>Whether a threshold is a floor or a ceiling. On the wire: min, max.</summary>
[JsonConverter(typeof(SnakeEnumConverter<ThresholdType>))]
public enum ThresholdType
{
    /// <summary><c>min</c></summary>
    Min,
    /// <summary><c>max</c></summary>
    Max
}

/// <summary>How serious a metric threshold violation is. On the wire: warning, critical.</summary>
[JsonConverter(typeof(SnakeEnumConverter<MetricAlertSeverity>))]
public enum MetricAlertSeverity
{
    /// <summary><c>warning</c></summary>
    Warning,
    /// <summary><c>critical</c></summary>
    Critical
}

/// <summary>The <c>performance_metric</c> message of <c>ex_esdb_metrics</c>.</summary>
/// <param name="MetricName">Name of the metric.</param>
/// <param name="Value">Metric value.</param>
/// <param name="Unit">Unit of measurement.</param>
/// <param name="Node">Node where metric was collected.</param>
/// <param name="Component">Component that generated the metric.</param>
/// <param name="Tags">Additional metric tags.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record PerformanceMetric(string MetricName, double Value, string Unit, string Node, string? Component, JsonMap? Tags, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "performance_metric";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Metrics;
}

/// <summary>The <c>throughput_metric</c> message of <c>ex_esdb_metrics</c>.</summary>
/// <param name="Operation">Type of operation.</param>
/// <param name="Count">Number of operations.</param>
/// <param name="DurationMs">Time window in milliseconds.</param>
/// <param name="RatePerSec">Operations per second.</param>
/// <param name="Node">Reporting node.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record ThroughputMetric(string Operation, long Count, long DurationMs, double? RatePerSec, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "throughput_metric";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Metrics;
}

/// <summary>The <c>latency_metric</c> message of <c>ex_esdb_metrics</c>.</summary>
/// <param name="Operation">Type of operation.</param>
/// <param name="LatencyMs">Latency in milliseconds.</param>
/// <param name="Percentile">The percentile.</param>
/// <param name="SampleCount">Number of samples.</param>
/// <param name="Node">Reporting node.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record LatencyMetric(string Operation, double LatencyMs, LatencyPercentile Percentile, long SampleCount, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "latency_metric";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Metrics;
}

/// <summary>The <c>resource_usage</c> message of <c>ex_esdb_metrics</c>.</summary>
/// <param name="ResourceType">The resource type.</param>
/// <param name="UsagePercent">Usage percentage.</param>
/// <param name="TotalAvailable">Total resource available.</param>
/// <param name="CurrentUsed">Currently used.</param>
/// <param name="Node">Reporting node.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record ResourceUsage(ResourceType ResourceType, double UsagePercent, long TotalAvailable, long CurrentUsed, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "resource_usage";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Metrics;
}

/// <summary>The <c>metric_alert</c> message of <c>ex_esdb_metrics</c>.</summary>
/// <param name="MetricName">Name of the metric that violated threshold.</param>
/// <param name="CurrentValue">Current metric value.</param>
/// <param name="ThresholdValue">Threshold that was crossed.</param>
/// <param name="ThresholdType">The threshold type.</param>
/// <param name="Severity">The severity.</param>
/// <param name="Node">Reporting node.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record MetricAlert(string MetricName, double CurrentValue, double ThresholdValue, ThresholdType ThresholdType, MetricAlertSeverity Severity, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "metric_alert";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Metrics;
}

/// <summary>Factories, validators and topics of the <c>ex_esdb_metrics</c> instance.</summary>
public static partial class MetricsMessages
{
    /// <summary>The instance these messages travel on.</summary>
    public const GaterInstance Instance = GaterInstance.Metrics;

    /// <summary>Common topic: General performance metrics.</summary>
    public const string PerformanceTopic = "performance";

    /// <summary>Common topic: Throughput and rate metrics.</summary>
    public const string ThroughputTopic = "throughput";

    /// <summary>Common topic: Latency and response time metrics.</summary>
    public const string LatencyTopic = "latency";

    /// <summary>Common topic: CPU, memory, disk usage metrics.</summary>
    public const string ResourceUsageTopic = "resource_usage";

    /// <summary>The payload types of this module, in catalog order.</summary>
    public static IReadOnlyList<Type> PayloadTypes { get; } = [typeof(PerformanceMetric), typeof(ThroughputMetric), typeof(LatencyMetric), typeof(ResourceUsage), typeof(MetricAlert)];

    /// <summary>Creates a <see cref="ExEsdbGater.PerformanceMetric"/> (<c>performance_metric</c>); unset options take the catalog defaults.</summary>
    /// <param name="metricName">Name of the metric.</param>
    /// <param name="value">Metric value.</param>
    /// <param name="unit">Unit of measurement.</param>
    /// <param name="node">Node where metric was collected. Default: option `node`, else this node.</param>
    /// <param name="component">Component that generated the metric. Default: option `component`, else null.</param>
    /// <param name="tags">Additional metric tags. Default: option `tags`, else empty map.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static PerformanceMetric PerformanceMetric(
        string metricName,
        double value,
        string unit,
        string? node = null,
        string? component = null,
        JsonMap? tags = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(metricName);
        ArgumentNullException.ThrowIfNull(unit);
        var ctx = messageContext ?? MessageContext.Default;
        return new PerformanceMetric(
            metricName,
            value,
            unit,
            node ?? ctx.Node,
            component,
            tags ?? JsonMap.Empty,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.PerformanceMetric"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(PerformanceMetric message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.ThroughputMetric"/> (<c>throughput_metric</c>); unset options take the catalog defaults.</summary>
    /// <param name="operation">Type of operation.</param>
    /// <param name="count">Number of operations.</param>
    /// <param name="durationMs">Time window in milliseconds.</param>
    /// <param name="node">Reporting node. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static ThroughputMetric ThroughputMetric(
        string operation,
        long count,
        long durationMs,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var ctx = messageContext ?? MessageContext.Default;
        return new ThroughputMetric(
            operation,
            count,
            durationMs,
            MessageHelpers.RatePerSecond(count, durationMs),
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.ThroughputMetric"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(ThroughputMetric message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.LatencyMetric"/> (<c>latency_metric</c>); unset options take the catalog defaults.</summary>
    /// <param name="operation">Type of operation.</param>
    /// <param name="latencyMs">Latency in milliseconds.</param>
    /// <param name="percentile">The percentile.</param>
    /// <param name="sampleCount">Number of samples.</param>
    /// <param name="node">Reporting node. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static LatencyMetric LatencyMetric(
        string operation,
        double latencyMs,
        LatencyPercentile percentile,
        long sampleCount,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var ctx = messageContext ?? MessageContext.Default;
        return new LatencyMetric(
            operation,
            latencyMs,
            percentile,
            sampleCount,
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.LatencyMetric"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(LatencyMetric message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.ResourceUsage"/> (<c>resource_usage</c>); unset options take the catalog defaults.</summary>
    /// <param name="resourceType">The resource type.</param>
    /// <param name="usagePercent">Usage percentage.</param>
    /// <param name="totalAvailable">Total resource available.</param>
    /// <param name="currentUsed">Currently used.</param>
    /// <param name="node">Reporting node. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static ResourceUsage ResourceUsage(
        ResourceType resourceType,
        double usagePercent,
        long totalAvailable,
        long currentUsed,
        string? node = null,
        MessageContext? messageContext = null)
    {
        var ctx = messageContext ?? MessageContext.Default;
        return new ResourceUsage(
            resourceType,
            usagePercent,
            totalAvailable,
            currentUsed,
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.ResourceUsage"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(ResourceUsage message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.MetricAlert"/> (<c>metric_alert</c>); unset options take the catalog defaults.</summary>
    /// <param name="metricName">Name of the metric that violated threshold.</param>
    /// <param name="currentValue">Current metric value.</param>
    /// <param name="thresholdValue">Threshold that was crossed.</param>
    /// <param name="thresholdType">The threshold type.</param>
    /// <param name="severity">The severity.</param>
    /// <param name="node">Reporting node. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static MetricAlert MetricAlert(
        string metricName,
        double currentValue,
        double thresholdValue,
        ThresholdType thresholdType,
        MetricAlertSeverity severity,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(metricName);
        var ctx = messageContext ?? MessageContext.Default;
        return new MetricAlert(
            metricName,
            currentValue,
            thresholdValue,
            thresholdType,
            severity,
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.MetricAlert"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(MetricAlert message) => MessageValidator.Validate(message);

}

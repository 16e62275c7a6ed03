using System.Text.Json.Serialization;

namespace ExEsdbGater;

/// <summary>Source-generated JSON metadata for every payload type (snake_case, nulls written).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters = [typeof(InstantConverter)])]
[JsonSerializable(typeof(SystemConfig))]
[JsonSerializable(typeof(SystemLifecycle))]
[JsonSerializable(typeof(FeatureToggle))]
[JsonSerializable(typeof(NodeHealth))]
[JsonSerializable(typeof(ClusterHealth))]
[JsonSerializable(typeof(ComponentHealth))]
[JsonSerializable(typeof(HealthCheck))]
[JsonSerializable(typeof(PerformanceMetric))]
[JsonSerializable(typeof(ThroughputMetric))]
[JsonSerializable(typeof(LatencyMetric))]
[JsonSerializable(typeof(ResourceUsage))]
[JsonSerializable(typeof(MetricAlert))]
[JsonSerializable(typeof(NodeLifecycle))]
[JsonSerializable(typeof(ProcessLifecycle))]
[JsonSerializable(typeof(SupervisionEvent))]
[JsonSerializable(typeof(ClusterMembership))]
[JsonSerializable(typeof(AuthEvent))]
[JsonSerializable(typeof(AccessViolation))]
[JsonSerializable(typeof(SecurityAlert))]
[JsonSerializable(typeof(SessionEvent))]
[JsonSerializable(typeof(DataChange))]
[JsonSerializable(typeof(AdminAction))]
[JsonSerializable(typeof(AccessLog))]
[JsonSerializable(typeof(ComplianceEvent))]
[JsonSerializable(typeof(SystemAlert))]
[JsonSerializable(typeof(AlertAck))]
[JsonSerializable(typeof(AlertEscalation))]
[JsonSerializable(typeof(NotificationStatus))]
[JsonSerializable(typeof(DebugTrace))]
[JsonSerializable(typeof(PerformanceAnalysis))]
[JsonSerializable(typeof(SystemState))]
[JsonSerializable(typeof(ErrorAnalysis))]
[JsonSerializable(typeof(LogEntry))]
[JsonSerializable(typeof(LogSummary))]
[JsonSerializable(typeof(LogFilter))]
[JsonSerializable(typeof(LogRotation))]
[JsonSerializable(typeof(ApplicationEvent))]
internal sealed partial class GaterJsonContext : JsonSerializerContext;

// The DiagnosticsMessages catalog: its enums, payload records, factories and validators.
using System.Text.Json.Serialization;

namespace ExEsdbGater;

/// <summary>A kind of performance analysis. On the wire: bottleneck, memory_leak, cpu_hotspot, io_analysis.</summary>
[JsonConverter(typeof(SnakeEnumConverter<AnalysisType>))]
public enum AnalysisType
{
    /// <summary><c>bottleneck</c></summary>
    Bottleneck,
    /// <summary><c>memory_leak</c></summary>
    MemoryLeak,
    /// <summary><c>cpu_hotspot</c></summary>
    CpuHotspot,
    /// <summary><c>io_analysis</c></summary>
    IoAnalysis
}

/// <summary>How much a state snapshot holds. On the wire: full, partial, process_tree, memory_dump.</summary>
[JsonConverter(typeof(SnakeEnumConverter<SnapshotType>))]
public enum SnapshotType
{
    /// <summary><c>full</c></summary>
    Full,
    /// <summary><c>partial</c></summary>
    Partial,
    /// <summary><c>process_tree</c></summary>
    ProcessTree,
    /// <summary><c>memory_dump</c></summary>
    MemoryDump
}

/// <summary>The <c>debug_trace</c> message of <c>ex_esdb_diagnostics</c>.</summary>
/// <param name="TraceId">Unique trace identifier.</param>
/// <param name="Component">Component being traced.</param>
/// <param name="Operation">Operation being performed.</param>
/// <param name="TraceData">Trace-specific data.</param>
/// <param name="StackTrace">Stack trace (if applicable).</param>
/// <param name="DurationMs">Operation duration.</param>
/// <param name="Node">Node where trace occurred.</param>
/// <param name="Metadata">Additional trace context.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record DebugTrace(string TraceId, string Component, string Operation, JsonMap TraceData, ValueList<string>? StackTrace, long? DurationMs, string Node, JsonMap? Metadata, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "debug_trace";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Diagnostics;
}

/// <summary>The <c>performance_analysis</c> message of <c>ex_esdb_diagnostics</c>.</summary>
/// <param name="AnalysisId">Unique analysis identifier.</param>
/// <param name="Component">Component being analyzed.</param>
/// <param name="AnalysisType">The analysis type.</param>
/// <param name="Findings">Analysis results.</param>
/// <param name="Recommendations">Performance recommendations.</param>
/// <param name="Severity">The severity.</param>
/// <param name="Node">Node where analysis was performed.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record PerformanceAnalysis(string AnalysisId, string Component, AnalysisType AnalysisType, JsonMap Findings, ValueList<string>? Recommendations, Severity? Severity, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "performance_analysis";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Diagnostics;
}

/// <summary>The <c>system_state</c> message of <c>ex_esdb_diagnostics</c>.</summary>
/// <param name="SnapshotId">Unique snapshot identifier.</param>
/// <param name="SnapshotType">The snapshot type.</param>
/// <param name="StateData">System state information.</param>
/// <param name="ProcessCount">Number of processes.</param>
/// <param name="MemoryUsage">Memory usage in bytes.</param>
/// <param name="Node">Node where snapshot was taken.</param>
/// <param name="TriggerReason">Why snapshot was taken.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record SystemState(string SnapshotId, SnapshotType SnapshotType, JsonMap StateData, long? ProcessCount, long? MemoryUsage, string Node, string TriggerReason, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "system_state";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Diagnostics;
}

/// <summary>The <c>error_analysis</c> message of <c>ex_esdb_diagnostics</c>.</summary>
/// <param name="ErrorId">Unique error identifier.</param>
/// <param name="ErrorType">Type of error.</param>
/// <param name="ErrorMessage">Error message.</param>
/// <param name="StackTrace">Stack trace.</param>
/// <param name="Context">Error context.</param>
/// <param name="Frequency">How often this error occurs.</param>
/// <param name="FirstSeen">When first seen.</param>
/// <param name="LastSeen">When last seen.</param>
/// <param name="Node">Node where error occurred.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record ErrorAnalysis(string ErrorId, string ErrorType, string ErrorMessage, ValueList<string>? StackTrace, JsonMap? Context, long? Frequency, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "error_analysis";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Diagnostics;
}

/// <summary>Factories, validators and topics of the <c>ex_esdb_diagnostics</c> instance.</summary>
public static partial class DiagnosticsMessages
{
    /// <summary>The instance these messages travel on.</summary>
    public const GaterInstance Instance = GaterInstance.Diagnostics;

    /// <summary>Common topic: Debug trace information.</summary>
    public const string DebugTracesTopic = "debug_traces";

    /// <summary>Common topic: Performance diagnostic data.</summary>
    public const string PerformanceAnalysisTopic = "performance_analysis";

    /// <summary>Common topic: System state snapshots.</summary>
    public const string SystemStateTopic = "system_state";

    /// <summary>Common topic: Error diagnostic information.</summary>
    public const string ErrorAnalysisTopic = "error_analysis";

    /// <summary>The payload types of this module, in catalog order.</summary>
    public static IReadOnlyList<Type> PayloadTypes { get; } = [typeof(DebugTrace), typeof(PerformanceAnalysis), typeof(SystemState), typeof(ErrorAnalysis)];

    /// <summary>Creates a <see cref="ExEsdbGater.DebugTrace"/> (<c>debug_trace</c>); unset options take the catalog defaults.</summary>
    /// <param name="component">Component being traced.</param>
    /// <param name="operation">Operation being performed.</param>
    /// <param name="traceData">Trace-specific data.</param>
    /// <param name="traceId">Unique trace identifier. Default: option `trace_id`, else new id `trace_` + 16 random lowercase hex chars.</param>
    /// <param name="stackTrace">Stack trace (if applicable). Default: option `stack_trace`, else null.</param>
    /// <param name="durationMs">Operation duration. Default: option `duration_ms`, else null.</param>
    /// <param name="node">Node where trace occurred. Default: option `node`, else this node.</param>
    /// <param name="metadata">Additional trace context. Default: option `metadata`, else empty map.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static DebugTrace DebugTrace(
        string component,
        string operation,
        JsonMap traceData,
        string? traceId = null,
        ValueList<string>? stackTrace = null,
        long? durationMs = null,
        string? node = null,
        JsonMap? metadata = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(traceData);
        var ctx = messageContext ?? MessageContext.Default;
        return new DebugTrace(
            traceId ?? "trace_" + ctx.RandomHex(16),
            component,
            operation,
            traceData,
            stackTrace,
            durationMs,
            node ?? ctx.Node,
            metadata ?? JsonMap.Empty,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.DebugTrace"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(DebugTrace message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.PerformanceAnalysis"/> (<c>performance_analysis</c>); unset options take the catalog defaults.</summary>
    /// <param name="component">Component being analyzed.</param>
    /// <param name="analysisType">The analysis type.</param>
    /// <param name="findings">Analysis results.</param>
    /// <param name="analysisId">Unique analysis identifier. Default: option `analysis_id`, else new id `analysis_` + 16 random lowercase hex chars.</param>
    /// <param name="recommendations">Performance recommendations. Default: option `recommendations`, else empty list.</param>
    /// <param name="severity">The severity. Default: option `severity`, else :medium.</param>
    /// <param name="node">Node where analysis was performed. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static PerformanceAnalysis PerformanceAnalysis(
        string component,
        AnalysisType analysisType,
        JsonMap findings,
        string? analysisId = null,
        ValueList<string>? recommendations = null,
        Severity? severity = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(findings);
        var ctx = messageContext ?? MessageContext.Default;
        return new PerformanceAnalysis(
            analysisId ?? "analysis_" + ctx.RandomHex(16),
            component,
            analysisType,
            findings,
            recommendations ?? ValueList<string>.Empty,
            severity ?? Severity.Medium,
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.PerformanceAnalysis"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(PerformanceAnalysis message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.SystemState"/> (<c>system_state</c>); unset options take the catalog defaults.</summary>
    /// <param name="snapshotType">The snapshot type.</param>
    /// <param name="stateData">System state information.</param>
    /// <param name="triggerReason">Why snapshot was taken.</param>
    /// <param name="snapshotId">Unique snapshot identifier. Default: option `snapshot_id`, else new id `snapshot_` + 16 random lowercase hex chars.</param>
    /// <param name="processCount">Number of processes. Default: option `process_count`, else null.</param>
    /// <param name="memoryUsage">Memory usage in bytes. Default: option `memory_usage`, else null.</param>
    /// <param name="node">Node where snapshot was taken. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static SystemState SystemState(
        SnapshotType snapshotType,
        JsonMap stateData,
        string triggerReason,
        string? snapshotId = null,
        long? processCount = null,
        long? memoryUsage = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(stateData);
        ArgumentNullException.ThrowIfNull(triggerReason);
        var ctx = messageContext ?? MessageContext.Default;
        return new SystemState(
            snapshotId ?? "snapshot_" + ctx.RandomHex(16),
            snapshotType,
            stateData,
            processCount,
            memoryUsage,
            node ?? ctx.Node,
            triggerReason,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.SystemState"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(SystemState message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.ErrorAnalysis"/> (<c>error_analysis</c>); unset options take the catalog defaults.</summary>
    /// <param name="errorType">Type of error.</param>
    /// <param name="errorMessage">Error message.</param>
    /// <param name="errorId">Unique error identifier. Default: option `error_id`, else new id `error_` + 16 random lowercase hex chars.</param>
    /// <param name="stackTrace">Stack trace. Default: option `stack_trace`, else empty list.</param>
    /// <param name="context">Error context. Default: option `context`, else empty map.</param>
    /// <param name="frequency">How often this error occurs. Default: option `frequency`, else 1.</param>
    /// <param name="firstSeen">When first seen. Default: option `first_seen`, else now.</param>
    /// <param name="lastSeen">When last seen. Default: option `last_seen`, else now.</param>
    /// <param name="node">Node where error occurred. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static ErrorAnalysis ErrorAnalysis(
        string errorType,
        string errorMessage,
        string? errorId = null,
        ValueList<string>? stackTrace = null,
        JsonMap? context = null,
        long? frequency = null,
        DateTimeOffset? firstSeen = null,
        DateTimeOffset? lastSeen = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(errorType);
        ArgumentNullException.ThrowIfNull(errorMessage);
        var ctx = messageContext ?? MessageContext.Default;
        return new ErrorAnalysis(
            errorId ?? "error_" + ctx.RandomHex(16),
            errorType,
            errorMessage,
            stackTrace ?? ValueList<string>.Empty,
            context ?? JsonMap.Empty,
            frequency ?? 1,
            firstSeen ?? ctx.Now(),
            lastSeen ?? ctx.Now(),
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.ErrorAnalysis"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(ErrorAnalysis message) => MessageValidator.Validate(message);

}

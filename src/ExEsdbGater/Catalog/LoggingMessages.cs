// The LoggingMessages catalog: its enums, payload records, factories and validators.
using System.Text.Json.Serialization;

namespace ExEsdbGater;

/// <summary>The level of a log entry. On the wire: debug, info, warn, error, critical.</summary>
[JsonConverter(typeof(SnakeEnumConverter<LogEntryLevel>))]
public enum LogEntryLevel
{
    /// <summary><c>debug</c></summary>
    Debug,
    /// <summary><c>info</c></summary>
    Info,
    /// <summary><c>warn</c></summary>
    Warn,
    /// <summary><c>error</c></summary>
    Error,
    /// <summary><c>critical</c></summary>
    Critical
}

/// <summary>What a log filter matches on. On the wire: level, module, pattern, node.</summary>
[JsonConverter(typeof(SnakeEnumConverter<LogFilterType>))]
public enum LogFilterType
{
    /// <summary><c>level</c></summary>
    Level,
    /// <summary><c>module</c></summary>
    Module,
    /// <summary><c>pattern</c></summary>
    Pattern,
    /// <summary><c>node</c></summary>
    Node
}

/// <summary>What a log filter does with a match. On the wire: include, exclude, rate_limit.</summary>
[JsonConverter(typeof(SnakeEnumConverter<LogFilterAction>))]
public enum LogFilterAction
{
    /// <summary><c>include</c></summary>
    Include,
    /// <summary><c>exclude</c></summary>
    Exclude,
    /// <summary><c>rate_limit</c></summary>
    RateLimit
}

/// <summary>The <c>log_entry</c> message of <c>ex_esdb_logging</c>.</summary>
/// <param name="LogId">Unique log identifier.</param>
/// <param name="Level">The level.</param>
/// <param name="Message">Log message.</param>
/// <param name="Module">Module that generated the log.</param>
/// <param name="Function">Function that generated the log.</param>
/// <param name="Line">Line number.</param>
/// <param name="Node">Node where log originated.</param>
/// <param name="Pid">Process that generated the log.</param>
/// <param name="Metadata">Additional log metadata.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record LogEntry(string LogId, LogEntryLevel Level, string Message, string Module, string? Function, long? Line, string Node, string? Pid, JsonMap? Metadata, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "log_entry";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Logging;
}

/// <summary>The <c>log_summary</c> message of <c>ex_esdb_logging</c>.</summary>
/// <param name="SummaryId">Unique summary identifier.</param>
/// <param name="TimePeriod">Time period of summary (e.g., "last_hour").</param>
/// <param name="LogCounts">Count by log level.</param>
/// <param name="TopErrors">Most frequent errors.</param>
/// <param name="ErrorRate">Errors per minute.</param>
/// <param name="NodesReporting">Nodes that reported logs.</param>
/// <param name="TotalLogs">Total log entries in period.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
/// <param name="Node">The node where the message originated (added: the original has no node field here).</param>
public sealed record LogSummary(string SummaryId, string TimePeriod, JsonMap LogCounts, ValueList<JsonMap>? TopErrors, double? ErrorRate, ValueList<string>? NodesReporting, long? TotalLogs, DateTimeOffset Timestamp, string Node) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "log_summary";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Logging;
}

/// <summary>The <c>log_filter_updated</c> message of <c>ex_esdb_logging</c>.</summary>
/// <param name="FilterId">Unique filter identifier.</param>
/// <param name="FilterType">The filter type.</param>
/// <param name="FilterValue">Filter criteria.</param>
/// <param name="Action">The action.</param>
/// <param name="Enabled">Whether filter is active.</param>
/// <param name="CreatedBy">Who created the filter.</param>
/// <param name="Metadata">Additional filter context.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
/// <param name="Node">The node where the message originated (added: the original has no node field here).</param>
public sealed record LogFilter(string FilterId, LogFilterType FilterType, JsonAny FilterValue, LogFilterAction Action, bool? Enabled, string? CreatedBy, JsonMap? Metadata, DateTimeOffset Timestamp, string Node) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "log_filter_updated";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Logging;
}

/// <summary>The <c>log_rotation</c> message of <c>ex_esdb_logging</c>.</summary>
/// <param name="RotationId">Unique rotation identifier.</param>
/// <param name="LogType">Type of log being rotated.</param>
/// <param name="OldFile">Path to old log file.</param>
/// <param name="NewFile">Path to new log file.</param>
/// <param name="FileSize">Size of rotated file.</param>
/// <param name="EntriesCount">Number of entries in rotated file.</param>
/// <param name="Node">Node where rotation occurred.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record LogRotation(string RotationId, string LogType, string OldFile, string NewFile, long? FileSize, long? EntriesCount, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "log_rotation";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Logging;
}

/// <summary>Factories, validators and topics of the <c>ex_esdb_logging</c> instance.</summary>
public static partial class LoggingMessages
{
    /// <summary>The instance these messages travel on.</summary>
    public const GaterInstance Instance = GaterInstance.Logging;

    /// <summary>Common topic: Application-level log messages.</summary>
    public const string ApplicationLogsTopic = "application_logs";

    /// <summary>Common topic: System-level log messages.</summary>
    public const string SystemLogsTopic = "system_logs";

    /// <summary>Common topic: Error and exception logs.</summary>
    public const string ErrorLogsTopic = "error_logs";

    /// <summary>Common topic: Audit trail logs.</summary>
    public const string AuditLogsTopic = "audit_logs";

    /// <summary>The payload types of this module, in catalog order.</summary>
    public static IReadOnlyList<Type> PayloadTypes { get; } = [typeof(LogEntry), typeof(LogSummary), typeof(LogFilter), typeof(LogRotation)];

    /// <summary>Creates a <see cref="ExEsdbGater.LogEntry"/> (<c>log_entry</c>); unset options take the catalog defaults.</summary>
    /// <param name="level">The level.</param>
    /// <param name="message">Log message.</param>
    /// <param name="module">Module that generated the log.</param>
    /// <param name="logId">Unique log identifier. Default: option `log_id`, else new id `log_` + 16 random lowercase hex chars.</param>
    /// <param name="function">Function that generated the log. Default: option `function`, else null.</param>
    /// <param name="line">Line number. Default: option `line`, else null.</param>
    /// <param name="node">Node where log originated. Default: option `node`, else this node.</param>
    /// <param name="pid">Process that generated the log. Default: option `pid`, else the calling process.</param>
    /// <param name="metadata">Additional log metadata. Default: option `metadata`, else empty map.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static LogEntry LogEntry(
        LogEntryLevel level,
        string message,
        string module,
        string? logId = null,
        string? function = null,
        long? line = null,
        string? node = null,
        string? pid = null,
        JsonMap? metadata = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(module);
        var ctx = messageContext ?? MessageContext.Default;
        return new LogEntry(
            logId ?? "log_" + ctx.RandomHex(16),
            level,
            message,
            module,
            function,
            line,
            node ?? ctx.Node,
            pid ?? MessageHelpers.CurrentProcessId(),
            metadata ?? JsonMap.Empty,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.LogEntry"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(LogEntry message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.LogSummary"/> (<c>log_summary</c>); unset options take the catalog defaults.</summary>
    /// <param name="timePeriod">Time period of summary (e.g., "last_hour").</param>
    /// <param name="logCounts">Count by log level.</param>
    /// <param name="summaryId">Unique summary identifier. Default: option `summary_id`, else new id `summary_` + 16 random lowercase hex chars.</param>
    /// <param name="topErrors">Most frequent errors. Default: option `top_errors`, else empty list.</param>
    /// <param name="errorRate">Errors per minute. Default: option `error_rate`, else 0.0.</param>
    /// <param name="nodesReporting">Nodes that reported logs. Default: option `nodes_reporting`, else [this node].</param>
    /// <param name="totalLogs">Total log entries in period. Default: option `total_logs`, else the sum of log_counts' values.</param>
    /// <param name="node">The node where the message originated (added: the original has no node field here). Default: this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static LogSummary LogSummary(
        string timePeriod,
        JsonMap logCounts,
        string? summaryId = null,
        ValueList<JsonMap>? topErrors = null,
        double? errorRate = null,
        ValueList<string>? nodesReporting = null,
        long? totalLogs = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(timePeriod);
        ArgumentNullException.ThrowIfNull(logCounts);
        var ctx = messageContext ?? MessageContext.Default;
        return new LogSummary(
            summaryId ?? "summary_" + ctx.RandomHex(16),
            timePeriod,
            logCounts,
            topErrors ?? ValueList<JsonMap>.Empty,
            errorRate ?? 0.0,
            nodesReporting ?? new ValueList<string>([ctx.Node]),
            totalLogs ?? MessageHelpers.SumCounts(logCounts, nameof(logCounts)),
            ctx.Now(),
            node ?? ctx.Node);
    }

    /// <summary>Checks a <see cref="ExEsdbGater.LogSummary"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(LogSummary message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.LogFilter"/> (<c>log_filter</c>); unset options take the catalog defaults.</summary>
    /// <param name="filterType">The filter type.</param>
    /// <param name="filterValue">Filter criteria.</param>
    /// <param name="action">The action.</param>
    /// <param name="filterId">Unique filter identifier. Default: option `filter_id`, else new id `filter_` + 16 random lowercase hex chars.</param>
    /// <param name="enabled">Whether filter is active. Default: option `enabled`, else true.</param>
    /// <param name="createdBy">Who created the filter. Default: option `created_by`, else "system".</param>
    /// <param name="metadata">Additional filter context. Default: option `metadata`, else empty map.</param>
    /// <param name="node">The node where the message originated (added: the original has no node field here). Default: this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static LogFilter LogFilter(
        LogFilterType filterType,
        JsonAny filterValue,
        LogFilterAction action,
        string? filterId = null,
        bool? enabled = null,
        string? createdBy = null,
        JsonMap? metadata = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(filterValue);
        var ctx = messageContext ?? MessageContext.Default;
        return new LogFilter(
            filterId ?? "filter_" + ctx.RandomHex(16),
            filterType,
            filterValue,
            action,
            enabled ?? true,
            createdBy ?? "system",
            metadata ?? JsonMap.Empty,
            ctx.Now(),
            node ?? ctx.Node);
    }

    /// <summary>Checks a <see cref="ExEsdbGater.LogFilter"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(LogFilter message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.LogRotation"/> (<c>log_rotation</c>); unset options take the catalog defaults.</summary>
    /// <param name="logType">Type of log being rotated.</param>
    /// <param name="oldFile">Path to old log file.</param>
    /// <param name="newFile">Path to new log file.</param>
    /// <param name="rotationId">Unique rotation identifier. Default: option `rotation_id`, else new id `rotation_` + 16 random lowercase hex chars.</param>
    /// <param name="fileSize">Size of rotated file. Default: option `file_size`, else null.</param>
    /// <param name="entriesCount">Number of entries in rotated file. Default: option `entries_count`, else null.</param>
    /// <param name="node">Node where rotation occurred. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static LogRotation LogRotation(
        string logType,
        string oldFile,
        string newFile,
        string? rotationId = null,
        long? fileSize = null,
        long? entriesCount = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(logType);
        ArgumentNullException.ThrowIfNull(oldFile);
        ArgumentNullException.ThrowIfNull(newFile);
        var ctx = messageContext ?? MessageContext.Default;
        return new LogRotation(
            rotationId ?? "rotation_" + ctx.RandomHex(16),
            logType,
            oldFile,
            newFile,
            fileSize,
            entriesCount,
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.LogRotation"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(LogRotation message) => MessageValidator.Validate(message);

}

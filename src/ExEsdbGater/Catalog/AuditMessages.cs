// The AuditMessages catalog: its enums, payload records, factories and validators.
using System.Text.Json.Serialization;

namespace ExEsdbGater;

/// <summary>A data operation. On the wire: create, update, delete, read.</summary>
[JsonConverter(typeof(SnakeEnumConverter<DataAction>))]
public enum DataAction
{
    /// <summary><c>create</c></summary>
    Create,
    /// <summary><c>update</c></summary>
    Update,
    /// <summary><c>delete</c></summary>
    Delete,
    /// <summary><c>read</c></summary>
    Read
}

/// <summary>A kind of administrative action. On the wire: user_created, user_deleted, permissions_changed, config_updated.</summary>
[JsonConverter(typeof(SnakeEnumConverter<AdminActionType>))]
public enum AdminActionType
{
    /// <summary><c>user_created</c></summary>
    UserCreated,
    /// <summary><c>user_deleted</c></summary>
    UserDeleted,
    /// <summary><c>permissions_changed</c></summary>
    PermissionsChanged,
    /// <summary><c>config_updated</c></summary>
    ConfigUpdated
}

/// <summary>A kind of compliance event. On the wire: data_retention, data_export, data_deletion, policy_violation.</summary>
[JsonConverter(typeof(SnakeEnumConverter<ComplianceEventType>))]
public enum ComplianceEventType
{
    /// <summary><c>data_retention</c></summary>
    DataRetention,
    /// <summary><c>data_export</c></summary>
    DataExport,
    /// <summary><c>data_deletion</c></summary>
    DataDeletion,
    /// <summary><c>policy_violation</c></summary>
    PolicyViolation
}

/// <summary>The <c>data_change</c> message of <c>ex_esdb_audit</c>.</summary>
/// <param name="UserId">User who made the change.</param>
/// <param name="ResourceType">Type of resource changed.</param>
/// <param name="ResourceId">Identifier of the resource.</param>
/// <param name="Action">The action.</param>
/// <param name="Changes">What changed (before/after).</param>
/// <param name="Metadata">Additional context.</param>
/// <param name="SourceIp">IP address of the request.</param>
/// <param name="Node">Node where change occurred.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record DataChange(string UserId, string ResourceType, string ResourceId, DataAction Action, JsonMap? Changes, JsonMap? Metadata, string? SourceIp, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "data_change";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Audit;
}

/// <summary>The <c>admin_action</c> message of <c>ex_esdb_audit</c>.</summary>
/// <param name="AdminUserId">Administrator who performed action.</param>
/// <param name="ActionType">The action type.</param>
/// <param name="TargetResource">What was acted upon.</param>
/// <param name="Details">Action details.</param>
/// <param name="Justification">Reason for the action.</param>
/// <param name="SourceIp">IP address.</param>
/// <param name="Node">Node where action occurred.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record AdminAction(string AdminUserId, AdminActionType ActionType, string TargetResource, JsonMap? Details, string? Justification, string? SourceIp, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "admin_action";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Audit;
}

/// <summary>The <c>access_log</c> message of <c>ex_esdb_audit</c>.</summary>
/// <param name="UserId">User who accessed resource.</param>
/// <param name="ResourceType">Type of resource accessed.</param>
/// <param name="ResourceId">Identifier of the resource.</param>
/// <param name="Action">Action performed.</param>
/// <param name="Success">Whether access was successful.</param>
/// <param name="DurationMs">How long the operation took.</param>
/// <param name="SourceIp">IP address.</param>
/// <param name="UserAgent">User agent.</param>
/// <param name="Node">Node where access occurred.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record AccessLog(string UserId, string ResourceType, string ResourceId, string Action, bool Success, long? DurationMs, string? SourceIp, string? UserAgent, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "access_log";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Audit;
}

/// <summary>The <c>compliance_event</c> message of <c>ex_esdb_audit</c>.</summary>
/// <param name="EventType">The event type.</param>
/// <param name="ComplianceRule">Which rule this relates to.</param>
/// <param name="AffectedData">Description of affected data.</param>
/// <param name="ActionTaken">What action was taken.</param>
/// <param name="UserId">User involved (if any).</param>
/// <param name="Automated">Whether this was automated.</param>
/// <param name="Metadata">Additional compliance context.</param>
/// <param name="Node">Node where event occurred.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record ComplianceEvent(ComplianceEventType EventType, string ComplianceRule, JsonMap AffectedData, string ActionTaken, string? UserId, bool? Automated, JsonMap? Metadata, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "compliance_event";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Audit;
}

/// <summary>Factories, validators and topics of the <c>ex_esdb_audit</c> instance.</summary>
public static partial class AuditMessages
{
    /// <summary>The instance these messages travel on.</summary>
    public const GaterInstance Instance = GaterInstance.Audit;

    /// <summary>Common topic: Data modification events.</summary>
    public const string DataChangesTopic = "data_changes";

    /// <summary>Common topic: Administrative actions.</summary>
    public const string AdminActionsTopic = "admin_actions";

    /// <summary>Common topic: Resource access logging.</summary>
    public const string AccessLogsTopic = "access_logs";

    /// <summary>Common topic: Compliance-related events.</summary>
    public const string ComplianceTopic = "compliance";

    /// <summary>The payload types of this module, in catalog order.</summary>
    public static IReadOnlyList<Type> PayloadTypes { get; } = [typeof(DataChange), typeof(AdminAction), typeof(AccessLog), typeof(ComplianceEvent)];

    /// <summary>Creates a <see cref="ExEsdbGater.DataChange"/> (<c>data_change</c>); unset options take the catalog defaults.</summary>
    /// <param name="userId">User who made the change.</param>
    /// <param name="resourceType">Type of resource changed.</param>
    /// <param name="resourceId">Identifier of the resource.</param>
    /// <param name="action">The action.</param>
    /// <param name="changes">What changed (before/after). Default: option `changes`, else empty map.</param>
    /// <param name="metadata">Additional context. Default: option `metadata`, else empty map.</param>
    /// <param name="sourceIp">IP address of the request. Default: option `source_ip`, else null.</param>
    /// <param name="node">Node where change occurred. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static DataChange DataChange(
        string userId,
        string resourceType,
        string resourceId,
        DataAction action,
        JsonMap? changes = null,
        JsonMap? metadata = null,
        string? sourceIp = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(resourceType);
        ArgumentNullException.ThrowIfNull(resourceId);
        var ctx = messageContext ?? MessageContext.Default;
        return new DataChange(
            userId,
            resourceType,
            resourceId,
            action,
            changes ?? JsonMap.Empty,
            metadata ?? JsonMap.Empty,
            sourceIp,
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.DataChange"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(DataChange message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.AdminAction"/> (<c>admin_action</c>); unset options take the catalog defaults.</summary>
    /// <param name="adminUserId">Administrator who performed action.</param>
    /// <param name="actionType">The action type.</param>
    /// <param name="targetResource">What was acted upon.</param>
    /// <param name="details">Action details. Default: option `details`, else empty map.</param>
    /// <param name="justification">Reason for the action. Default: option `justification`, else null.</param>
    /// <param name="sourceIp">IP address. Default: option `source_ip`, else null.</param>
    /// <param name="node">Node where action occurred. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static AdminAction AdminAction(
        string adminUserId,
        AdminActionType actionType,
        string targetResource,
        JsonMap? details = null,
        string? justification = null,
        string? sourceIp = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(adminUserId);
        ArgumentNullException.ThrowIfNull(targetResource);
        var ctx = messageContext ?? MessageContext.Default;
        return new AdminAction(
            adminUserId,
            actionType,
            targetResource,
            details ?? JsonMap.Empty,
            justification,
            sourceIp,
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.AdminAction"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(AdminAction message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.AccessLog"/> (<c>access_log</c>); unset options take the catalog defaults.</summary>
    /// <param name="userId">User who accessed resource.</param>
    /// <param name="resourceType">Type of resource accessed.</param>
    /// <param name="resourceId">Identifier of the resource.</param>
    /// <param name="action">Action performed.</param>
    /// <param name="success">Whether access was successful.</param>
    /// <param name="durationMs">How long the operation took. Default: option `duration_ms`, else null.</param>
    /// <param name="sourceIp">IP address. Default: option `source_ip`, else null.</param>
    /// <param name="userAgent">User agent. Default: option `user_agent`, else null.</param>
    /// <param name="node">Node where access occurred. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static AccessLog AccessLog(
        string userId,
        string resourceType,
        string resourceId,
        string action,
        bool success,
        long? durationMs = null,
        string? sourceIp = null,
        string? userAgent = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(resourceType);
        ArgumentNullException.ThrowIfNull(resourceId);
        ArgumentNullException.ThrowIfNull(action);
        var ctx = messageContext ?? MessageContext.Default;
        return new AccessLog(
            userId,
            resourceType,
            resourceId,
            action,
            success,
            durationMs,
            sourceIp,
            userAgent,
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.AccessLog"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(AccessLog message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.ComplianceEvent"/> (<c>compliance_event</c>); unset options take the catalog defaults.</summary>
    /// <param name="eventType">The event type.</param>
    /// <param name="complianceRule">Which rule this relates to.</param>
    /// <param name="affectedData">Description of affected data.</param>
    /// <param name="actionTaken">What action was taken.</param>
    /// <param name="userId">User involved (if any). Default: option `user_id`, else null.</param>
    /// <param name="automated">Whether this was automated. Default: option `automated`, else false.</param>
    /// <param name="metadata">Additional compliance context. Default: option `metadata`, else empty map.</param>
    /// <param name="node">Node where event occurred. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static ComplianceEvent ComplianceEvent(
        ComplianceEventType eventType,
        string complianceRule,
        JsonMap affectedData,
        string actionTaken,
        string? userId = null,
        bool? automated = null,
        JsonMap? metadata = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(complianceRule);
        ArgumentNullException.ThrowIfNull(affectedData);
        ArgumentNullException.ThrowIfNull(actionTaken);
        var ctx = messageContext ?? MessageContext.Default;
        return new ComplianceEvent(
            eventType,
            complianceRule,
            affectedData,
            actionTaken,
            userId,
            automated ?? false,
            metadata ?? JsonMap.Empty,
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.ComplianceEvent"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(ComplianceEvent message) => MessageValidator.Validate(message);

}

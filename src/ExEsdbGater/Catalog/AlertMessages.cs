// The AlertMessages catalog: its enums, payload records, factories and validators.
using System.Text.Json.Serialization;

namespace ExEsdbGater;

/// <summary>How serious an alert is. On the wire: info, warning, error, critical.</summary>
[JsonConverter(typeof(SnakeEnumConverter<AlertSeverity>))]
public enum AlertSeverity
{
    /// <summary><c>info</c></summary>
    Info,
    /// <summary><c>warning</c></summary>
    Warning,
    /// <summary><c>error</c></summary>
    Error,
    /// <summary><c>critical</c></summary>
    Critical
}

/// <summary>The area an alert concerns. On the wire: system, performance, security, data, network.</summary>
[JsonConverter(typeof(SnakeEnumConverter<AlertCategory>))]
public enum AlertCategory
{
    /// <summary><c>system</c></summary>
    System,
    /// <summary><c>performance</c></summary>
    Performance,
    /// <summary><c>security</c></summary>
    Security,
    /// <summary><c>data</c></summary>
    Data,
    /// <summary><c>network</c></summary>
    Network
}

/// <summary>An escalation tier. On the wire: level1, level2, level3.</summary>
[JsonConverter(typeof(SnakeEnumConverter<EscalationLevel>))]
public enum EscalationLevel
{
    /// <summary><c>level1</c></summary>
    Level1,
    /// <summary><c>level2</c></summary>
    Level2,
    /// <summary><c>level3</c></summary>
    Level3
}

/// <summary>How a notification is delivered. On the wire: email, sms, webhook, push.</summary>
[JsonConverter(typeof(SnakeEnumConverter<DeliveryMethod>))]
public enum DeliveryMethod
{
    /// <summary><c>email</c></summary>
    Email,
    /// <summary><c>sms</c></summary>
    Sms,
    /// <summary><c>webhook</c></summary>
    Webhook,
    /// <summary><c>push</c></summary>
    Push
}

/// <summary>Where a notification delivery stands. On the wire: sent, delivered, failed, bounced.</summary>
[JsonConverter(typeof(SnakeEnumConverter<DeliveryStatus>))]
public enum DeliveryStatus
{
    /// <summary><c>sent</c></summary>
    Sent,
    /// <summary><c>delivered</c></summary>
    Delivered,
    /// <summary><c>failed</c></summary>
    Failed,
    /// <summary><c>bounced</c></summary>
    Bounced
}

/// <summary>The <c>system_alert</c> message of <c>ex_esdb_alerts</c>.</summary>
/// <param name="AlertId">Unique alert identifier.</param>
/// <param name="Severity">The severity.</param>
/// <param name="Category">The category.</param>
/// <param name="Title">Short alert title.</param>
/// <param name="Description">Detailed alert description.</param>
/// <param name="Source">What generated the alert.</param>
/// <param name="Node">Node where alert originated.</param>
/// <param name="Metadata">Additional alert context.</param>
/// <param name="RequiresAck">Whether alert requires acknowledgment.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record SystemAlert(string AlertId, AlertSeverity Severity, AlertCategory Category, string Title, string Description, string Source, string Node, JsonMap? Metadata, bool? RequiresAck, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "system_alert";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Alerts;
}

/// <summary>The <c>alert_acknowledged</c> message of <c>ex_esdb_alerts</c>.</summary>
/// <param name="AlertId">Alert being acknowledged.</param>
/// <param name="AckBy">Who acknowledged it.</param>
/// <param name="AckNote">Acknowledgment note.</param>
/// <param name="Resolution">How the alert was resolved.</param>
/// <param name="AckTimestamp">When acknowledged.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
/// <param name="Node">The node where the message originated (added: the original has no node field here).</param>
public sealed record AlertAck(string AlertId, string AckBy, string? AckNote, string? Resolution, DateTimeOffset? AckTimestamp, DateTimeOffset Timestamp, string Node) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "alert_acknowledged";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Alerts;
}

/// <summary>The <c>alert_escalated</c> message of <c>ex_esdb_alerts</c>.</summary>
/// <param name="AlertId">Alert being escalated.</param>
/// <param name="FromLevel">The from level.</param>
/// <param name="ToLevel">The to level.</param>
/// <param name="EscalationReason">Why it was escalated.</param>
/// <param name="EscalatedBy">Who escalated it (or "system").</param>
/// <param name="NotifyContacts">Contacts to notify.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
/// <param name="Node">The node where the message originated (added: the original has no node field here).</param>
public sealed record AlertEscalation(string AlertId, EscalationLevel FromLevel, EscalationLevel ToLevel, string EscalationReason, string? EscalatedBy, ValueList<string>? NotifyContacts, DateTimeOffset Timestamp, string Node) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "alert_escalated";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Alerts;
}

/// <summary>The <c>notification_status</c> message of <c>ex_esdb_alerts</c>.</summary>
/// <param name="AlertId">Related alert.</param>
/// <param name="DeliveryMethod">The delivery method.</param>
/// <param name="Recipient">Who was notified.</param>
/// <param name="Status">The status.</param>
/// <param name="ErrorReason">Failure reason (if failed).</param>
/// <param name="Attempts">Delivery attempts made.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
/// <param name="Node">The node where the message originated (added: the original has no node field here).</param>
public sealed record NotificationStatus(string AlertId, DeliveryMethod DeliveryMethod, string Recipient, DeliveryStatus Status, string? ErrorReason, long? Attempts, DateTimeOffset Timestamp, string Node) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "notification_status";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Alerts;
}

/// <summary>Factories, validators and topics of the <c>ex_esdb_alerts</c> instance.</summary>
public static partial class AlertMessages
{
    /// <summary>The instance these messages travel on.</summary>
    public const GaterInstance Instance = GaterInstance.Alerts;

    /// <summary>Common topic: Critical system alerts.</summary>
    public const string CriticalTopic = "critical";

    /// <summary>Common topic: Warning-level alerts.</summary>
    public const string WarningsTopic = "warnings";

    /// <summary>Common topic: General notifications.</summary>
    public const string NotificationsTopic = "notifications";

    /// <summary>Common topic: Alert escalations.</summary>
    public const string EscalationsTopic = "escalations";

    /// <summary>The payload types of this module, in catalog order.</summary>
    public static IReadOnlyList<Type> PayloadTypes { get; } = [typeof(SystemAlert), typeof(AlertAck), typeof(AlertEscalation), typeof(NotificationStatus)];

    /// <summary>Creates a <see cref="ExEsdbGater.SystemAlert"/> (<c>system_alert</c>); unset options take the catalog defaults.</summary>
    /// <param name="severity">The severity.</param>
    /// <param name="category">The category.</param>
    /// <param name="title">Short alert title.</param>
    /// <param name="description">Detailed alert description.</param>
    /// <param name="source">What generated the alert.</param>
    /// <param name="alertId">Unique alert identifier. Default: option `alert_id`, else 16 random lowercase hex chars.</param>
    /// <param name="node">Node where alert originated. Default: option `node`, else this node.</param>
    /// <param name="metadata">Additional alert context. Default: option `metadata`, else empty map.</param>
    /// <param name="requiresAck">Whether alert requires acknowledgment. Default: option `requires_ack`, else true when severity is error or critical, false otherwise.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static SystemAlert SystemAlert(
        AlertSeverity severity,
        AlertCategory category,
        string title,
        string description,
        string source,
        string? alertId = null,
        string? node = null,
        JsonMap? metadata = null,
        bool? requiresAck = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(source);
        var ctx = messageContext ?? MessageContext.Default;
        return new SystemAlert(
            alertId ?? ctx.RandomHex(16),
            severity,
            category,
            title,
            description,
            source,
            node ?? ctx.Node,
            metadata ?? JsonMap.Empty,
            requiresAck ?? (severity is AlertSeverity.Error or AlertSeverity.Critical),
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.SystemAlert"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(SystemAlert message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.AlertAck"/> (<c>alert_ack</c>); unset options take the catalog defaults.</summary>
    /// <param name="alertId">Alert being acknowledged.</param>
    /// <param name="ackBy">Who acknowledged it.</param>
    /// <param name="ackNote">Acknowledgment note. Default: option `ack_note`, else null.</param>
    /// <param name="resolution">How the alert was resolved. Default: option `resolution`, else null.</param>
    /// <param name="ackTimestamp">When acknowledged. Default: option `ack_timestamp`, else now.</param>
    /// <param name="node">The node where the message originated (added: the original has no node field here). Default: this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static AlertAck AlertAck(
        string alertId,
        string ackBy,
        string? ackNote = null,
        string? resolution = null,
        DateTimeOffset? ackTimestamp = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentNullException.ThrowIfNull(ackBy);
        var ctx = messageContext ?? MessageContext.Default;
        return new AlertAck(
            alertId,
            ackBy,
            ackNote,
            resolution,
            ackTimestamp ?? ctx.Now(),
            ctx.Now(),
            node ?? ctx.Node);
    }

    /// <summary>Checks a <see cref="ExEsdbGater.AlertAck"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(AlertAck message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.AlertEscalation"/> (<c>alert_escalation</c>); unset options take the catalog defaults.</summary>
    /// <param name="alertId">Alert being escalated.</param>
    /// <param name="fromLevel">The from level.</param>
    /// <param name="toLevel">The to level.</param>
    /// <param name="escalationReason">Why it was escalated.</param>
    /// <param name="escalatedBy">Who escalated it (or "system"). Default: option `escalated_by`, else "system".</param>
    /// <param name="notifyContacts">Contacts to notify. Default: option `notify_contacts`, else empty list.</param>
    /// <param name="node">The node where the message originated (added: the original has no node field here). Default: this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static AlertEscalation AlertEscalation(
        string alertId,
        EscalationLevel fromLevel,
        EscalationLevel toLevel,
        string escalationReason,
        string? escalatedBy = null,
        ValueList<string>? notifyContacts = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentNullException.ThrowIfNull(escalationReason);
        var ctx = messageContext ?? MessageContext.Default;
        return new AlertEscalation(
            alertId,
            fromLevel,
            toLevel,
            escalationReason,
            escalatedBy ?? "system",
            notifyContacts ?? ValueList<string>.Empty,
            ctx.Now(),
            node ?? ctx.Node);
    }

    /// <summary>Checks a <see cref="ExEsdbGater.AlertEscalation"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(AlertEscalation message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.NotificationStatus"/> (<c>notification_status</c>); unset options take the catalog defaults.</summary>
    /// <param name="alertId">Related alert.</param>
    /// <param name="deliveryMethod">The delivery method.</param>
    /// <param name="recipient">Who was notified.</param>
    /// <param name="status">The status.</param>
    /// <param name="errorReason">Failure reason (if failed). Default: option `error_reason`, else null.</param>
    /// <param name="attempts">Delivery attempts made. Default: option `attempts`, else 1.</param>
    /// <param name="node">The node where the message originated (added: the original has no node field here). Default: this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static NotificationStatus NotificationStatus(
        string alertId,
        DeliveryMethod deliveryMethod,
        string recipient,
        DeliveryStatus status,
        string? errorReason = null,
        long? attempts = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(alertId);
        ArgumentNullException.ThrowIfNull(recipient);
        var ctx = messageContext ?? MessageContext.Default;
        return new NotificationStatus(
            alertId,
            deliveryMethod,
            recipient,
            status,
            errorReason,
            attempts ?? 1,
            ctx.Now(),
            node ?? ctx.Node);
    }

    /// <summary>Checks a <see cref="ExEsdbGater.NotificationStatus"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(NotificationStatus message) => MessageValidator.Validate(message);

}

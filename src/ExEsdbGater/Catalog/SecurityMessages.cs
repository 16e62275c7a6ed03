// The SecurityMessages catalog: its enums, payload records, factories and validators.
using System.Text.Json.Serialization;

namespace ExEsdbGater;

/// <summary>An authentication outcome. On the wire: login_success, login_failure, logout, token_refresh.</summary>
[JsonConverter(typeof(SnakeEnumConverter<AuthEventType>))]
public enum AuthEventType
{
    /// <summary><c>login_success</c></summary>
    LoginSuccess,
    /// <summary><c>login_failure</c></summary>
    LoginFailure,
    /// <summary><c>logout</c></summary>
    Logout,
    /// <summary><c>token_refresh</c></summary>
    TokenRefresh
}

/// <summary>How a user authenticated. On the wire: password, token, certificate, oauth.</summary>
[JsonConverter(typeof(SnakeEnumConverter<AuthMethod>))]
public enum AuthMethod
{
    /// <summary><c>password</c></summary>
    Password,
    /// <summary><c>token</c></summary>
    Token,
    /// <summary><c>certificate</c></summary>
    Certificate,
    /// <summary><c>oauth</c></summary>
    Oauth
}

/// <summary>A kind of access violation. On the wire: unauthorized_access, permission_denied, rate_limit_exceeded, invalid_token.</summary>
[JsonConverter(typeof(SnakeEnumConverter<ViolationType>))]
public enum ViolationType
{
    /// <summary><c>unauthorized_access</c></summary>
    UnauthorizedAccess,
    /// <summary><c>permission_denied</c></summary>
    PermissionDenied,
    /// <summary><c>rate_limit_exceeded</c></summary>
    RateLimitExceeded,
    /// <summary><c>invalid_token</c></summary>
    InvalidToken
}

/// <summary>A kind of security alert. On the wire: brute_force, suspicious_activity, policy_violation, data_breach.</summary>
[JsonConverter(typeof(SnakeEnumConverter<SecurityAlertType>))]
public enum SecurityAlertType
{
    /// <summary><c>brute_force</c></summary>
    BruteForce,
    /// <summary><c>suspicious_activity</c></summary>
    SuspiciousActivity,
    /// <summary><c>policy_violation</c></summary>
    PolicyViolation,
    /// <summary><c>data_breach</c></summary>
    DataBreach
}

/// <summary>What happened to a session. On the wire: created, destroyed, expired, invalidated.</summary>
[JsonConverter(typeof(SnakeEnumConverter<SessionEventType>))]
public enum SessionEventType
{
    /// <summary><c>created</c></summary>
    Created,
    /// <summary><c>destroyed</c></summary>
    Destroyed,
    /// <summary><c>expired</c></summary>
    Expired,
    /// <summary><c>invalidated</c></summary>
    Invalidated
}

/// <summary>The <c>auth_event</c> message of <c>ex_esdb_security</c>.</summary>
/// <param name="UserId">User identifier.</param>
/// <param name="EventType">The event type.</param>
/// <param name="AuthMethod">The auth method.</param>
/// <param name="SourceIp">IP address of the request.</param>
/// <param name="UserAgent">User agent string.</param>
/// <param name="Node">Node where auth occurred.</param>
/// <param name="Metadata">Additional auth context.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record AuthEvent(string UserId, AuthEventType EventType, AuthMethod AuthMethod, string? SourceIp, string? UserAgent, string Node, JsonMap? Metadata, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "auth_event";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Security;
}

/// <summary>The <c>access_violation</c> message of <c>ex_esdb_security</c>.</summary>
/// <param name="UserId">User identifier (if known).</param>
/// <param name="ViolationType">The violation type.</param>
/// <param name="Resource">Resource that was accessed.</param>
/// <param name="Action">Action that was attempted.</param>
/// <param name="SourceIp">IP address of the request.</param>
/// <param name="Severity">The severity.</param>
/// <param name="Metadata">Additional violation context.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
/// <param name="Node">The node where the message originated (added: the original has no node field here).</param>
public sealed record AccessViolation(string? UserId, ViolationType ViolationType, string Resource, string Action, string? SourceIp, Severity? Severity, JsonMap? Metadata, DateTimeOffset Timestamp, string Node) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "access_violation";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Security;
}

/// <summary>The <c>security_alert</c> message of <c>ex_esdb_security</c>.</summary>
/// <param name="AlertType">The alert type.</param>
/// <param name="Severity">The severity.</param>
/// <param name="Description">Human-readable description.</param>
/// <param name="AffectedUsers">List of affected user IDs.</param>
/// <param name="SourceIp">Source IP (if applicable).</param>
/// <param name="Node">Node where alert was generated.</param>
/// <param name="Metadata">Additional alert context.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record SecurityAlert(SecurityAlertType AlertType, Severity Severity, string Description, ValueList<string>? AffectedUsers, string? SourceIp, string Node, JsonMap? Metadata, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "security_alert";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Security;
}

/// <summary>The <c>session_event</c> message of <c>ex_esdb_security</c>.</summary>
/// <param name="SessionId">Session identifier.</param>
/// <param name="UserId">User identifier.</param>
/// <param name="EventType">The event type.</param>
/// <param name="DurationMs">Session duration (for destroy events).</param>
/// <param name="SourceIp">IP address.</param>
/// <param name="Node">Node where session event occurred.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record SessionEvent(string SessionId, string UserId, SessionEventType EventType, long? DurationMs, string? SourceIp, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "session_event";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Security;
}

/// <summary>Factories, validators and topics of the <c>ex_esdb_security</c> instance.</summary>
public static partial class SecurityMessages
{
    /// <summary>The instance these messages travel on.</summary>
    public const GaterInstance Instance = GaterInstance.Security;

    /// <summary>Common topic: Authentication and authorization events.</summary>
    public const string AuthEventsTopic = "auth_events";

    /// <summary>Common topic: Unauthorized access attempts.</summary>
    public const string AccessViolationsTopic = "access_violations";

    /// <summary>Common topic: Security-related alerts.</summary>
    public const string SecurityAlertsTopic = "security_alerts";

    /// <summary>Common topic: Session management events.</summary>
    public const string SessionEventsTopic = "session_events";

    /// <summary>The payload types of this module, in catalog order.</summary>
    public static IReadOnlyList<Type> PayloadTypes { get; } = [typeof(AuthEvent), typeof(AccessViolation), typeof(SecurityAlert), typeof(SessionEvent)];

    /// <summary>Creates a <see cref="ExEsdbGater.AuthEvent"/> (<c>auth_event</c>); unset options take the catalog defaults.</summary>
    /// <param name="userId">User identifier.</param>
    /// <param name="eventType">The event type.</param>
    /// <param name="authMethod">The auth method.</param>
    /// <param name="sourceIp">IP address of the request. Default: option `source_ip`, else null.</param>
    /// <param name="userAgent">User agent string. Default: option `user_agent`, else null.</param>
    /// <param name="node">Node where auth occurred. Default: option `node`, else this node.</param>
    /// <param name="metadata">Additional auth context. Default: option `metadata`, else empty map.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static AuthEvent AuthEvent(
        string userId,
        AuthEventType eventType,
        AuthMethod authMethod,
        string? sourceIp = null,
        string? userAgent = null,
        string? node = null,
        JsonMap? metadata = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var ctx = messageContext ?? MessageContext.Default;
        return new AuthEvent(
            userId,
            eventType,
            authMethod,
            sourceIp,
            userAgent,
            node ?? ctx.Node,
            metadata ?? JsonMap.Empty,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.AuthEvent"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(AuthEvent message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.AccessViolation"/> (<c>access_violation</c>); unset options take the catalog defaults.</summary>
    /// <param name="violationType">The violation type.</param>
    /// <param name="resource">Resource that was accessed.</param>
    /// <param name="action">Action that was attempted.</param>
    /// <param name="userId">User identifier (if known). Default: option `user_id`, else null.</param>
    /// <param name="sourceIp">IP address of the request. Default: option `source_ip`, else null.</param>
    /// <param name="severity">The severity. Default: option `severity`, else :medium.</param>
    /// <param name="metadata">Additional violation context. Default: option `metadata`, else empty map.</param>
    /// <param name="node">The node where the message originated (added: the original has no node field here). Default: this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static AccessViolation AccessViolation(
        ViolationType violationType,
        string resource,
        string action,
        string? userId = null,
        string? sourceIp = null,
        Severity? severity = null,
        JsonMap? metadata = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(action);
        var ctx = messageContext ?? MessageContext.Default;
        return new AccessViolation(
            userId,
            violationType,
            resource,
            action,
            sourceIp,
            severity ?? Severity.Medium,
            metadata ?? JsonMap.Empty,
            ctx.Now(),
            node ?? ctx.Node);
    }

    /// <summary>Checks a <see cref="ExEsdbGater.AccessViolation"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(AccessViolation message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.SecurityAlert"/> (<c>security_alert</c>); unset options take the catalog defaults.</summary>
    /// <param name="alertType">The alert type.</param>
    /// <param name="severity">The severity.</param>
    /// <param name="description">Human-readable description.</param>
    /// <param name="affectedUsers">List of affected user IDs. Default: option `affected_users`, else empty list.</param>
    /// <param name="sourceIp">Source IP (if applicable). Default: option `source_ip`, else null.</param>
    /// <param name="node">Node where alert was generated. Default: option `node`, else this node.</param>
    /// <param name="metadata">Additional alert context. Default: option `metadata`, else empty map.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static SecurityAlert SecurityAlert(
        SecurityAlertType alertType,
        Severity severity,
        string description,
        ValueList<string>? affectedUsers = null,
        string? sourceIp = null,
        string? node = null,
        JsonMap? metadata = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        var ctx = messageContext ?? MessageContext.Default;
        return new SecurityAlert(
            alertType,
            severity,
            description,
            affectedUsers ?? ValueList<string>.Empty,
            sourceIp,
            node ?? ctx.Node,
            metadata ?? JsonMap.Empty,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.SecurityAlert"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(SecurityAlert message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.SessionEvent"/> (<c>session_event</c>); unset options take the catalog defaults.</summary>
    /// <param name="sessionId">Session identifier.</param>
    /// <param name="userId">User identifier.</param>
    /// <param name="eventType">The event type.</param>
    /// <param name="durationMs">Session duration (for destroy events). Default: option `duration_ms`, else null.</param>
    /// <param name="sourceIp">IP address. Default: option `source_ip`, else null.</param>
    /// <param name="node">Node where session event occurred. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static SessionEvent SessionEvent(
        string sessionId,
        string userId,
        SessionEventType eventType,
        long? durationMs = null,
        string? sourceIp = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(userId);
        var ctx = messageContext ?? MessageContext.Default;
        return new SessionEvent(
            sessionId,
            userId,
            eventType,
            durationMs,
            sourceIp,
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.SessionEvent"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(SessionEvent message) => MessageValidator.Validate(message);

}

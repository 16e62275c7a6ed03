// The SystemMessages catalog: its enums, payload records, factories and validators.
using System.Text.Json.Serialization;

namespace ExEsdbGater;

/// <summary>A step in a system's start or stop. On the wire: starting, started, stopping, stopped.</summary>
[JsonConverter(typeof(SnakeEnumConverter<SystemLifecycleEvent>))]
public enum SystemLifecycleEvent
{
    /// <summary><c>starting</c></summary>
    Starting,
    /// <summary><c>started</c></summary>
    Started,
    /// <summary><c>stopping</c></summary>
    Stopping,
    /// <summary><c>stopped</c></summary>
    Stopped
}

/// <summary>The <c>system_config_changed</c> message of <c>ex_esdb_system</c>.</summary>
/// <param name="Component">Which component changed config.</param>
/// <param name="Changes">What changed.</param>
/// <param name="PreviousConfig">Previous configuration (optional).</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
/// <param name="ChangedBy">Who/what triggered the change.</param>
/// <param name="Node">Node where config change originated.</param>
public sealed record SystemConfig(string Component, JsonMap Changes, JsonMap? PreviousConfig, DateTimeOffset Timestamp, string? ChangedBy, string Node) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "system_config_changed";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.System;
}

/// <summary>The <c>system_lifecycle_event</c> message of <c>ex_esdb_system</c>.</summary>
/// <param name="Event">The event.</param>
/// <param name="SystemName">Name of the system.</param>
/// <param name="Version">System version.</param>
/// <param name="Node">Node where event occurred.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record SystemLifecycle(SystemLifecycleEvent Event, string SystemName, string Version, string Node, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "system_lifecycle_event";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.System;
}

/// <summary>The <c>feature_toggle_changed</c> message of <c>ex_esdb_system</c>.</summary>
/// <param name="Feature">Feature name.</param>
/// <param name="Enabled">New state.</param>
/// <param name="PreviousState">Previous state.</param>
/// <param name="ChangedBy">Who changed it.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
/// <param name="Node">Node where toggle was changed.</param>
public sealed record FeatureToggle(string Feature, bool Enabled, bool PreviousState, string ChangedBy, DateTimeOffset Timestamp, string Node) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "feature_toggle_changed";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.System;
}

/// <summary>Factories, validators and topics of the <c>ex_esdb_system</c> instance.</summary>
public static partial class SystemMessages
{
    /// <summary>The instance these messages travel on.</summary>
    public const GaterInstance Instance = GaterInstance.System;

    /// <summary>Common topic: System configuration changes.</summary>
    public const string ConfigTopic = "config";

    /// <summary>Common topic: System startup/shutdown events.</summary>
    public const string LifecycleTopic = "lifecycle";

    /// <summary>Common topic: Feature toggle changes.</summary>
    public const string FeaturesTopic = "features";

    /// <summary>The payload types of this module, in catalog order.</summary>
    public static IReadOnlyList<Type> PayloadTypes { get; } = [typeof(SystemConfig), typeof(SystemLifecycle), typeof(FeatureToggle)];

    /// <summary>Creates a <see cref="ExEsdbGater.SystemConfig"/> (<c>system_config</c>); unset options take the catalog defaults.</summary>
    /// <param name="component">Which component changed config.</param>
    /// <param name="changes">What changed.</param>
    /// <param name="previousConfig">Previous configuration (optional). Default: option `previous_config`, else null.</param>
    /// <param name="changedBy">Who/what triggered the change. Default: option `changed_by`, else "system".</param>
    /// <param name="node">Node where config change originated. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static SystemConfig SystemConfig(
        string component,
        JsonMap changes,
        JsonMap? previousConfig = null,
        string? changedBy = null,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(changes);
        var ctx = messageContext ?? MessageContext.Default;
        return new SystemConfig(
            component,
            changes,
            previousConfig,
            ctx.Now(),
            changedBy ?? "system",
            node ?? ctx.Node);
    }

    /// <summary>Checks a <see cref="ExEsdbGater.SystemConfig"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(SystemConfig message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.SystemLifecycle"/> (<c>system_lifecycle</c>); unset options take the catalog defaults.</summary>
    /// <param name="event">The event.</param>
    /// <param name="systemName">Name of the system.</param>
    /// <param name="version">System version.</param>
    /// <param name="node">Node where event occurred. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static SystemLifecycle SystemLifecycle(
        SystemLifecycleEvent @event,
        string systemName,
        string version,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(systemName);
        ArgumentNullException.ThrowIfNull(version);
        var ctx = messageContext ?? MessageContext.Default;
        return new SystemLifecycle(
            @event,
            systemName,
            version,
            node ?? ctx.Node,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.SystemLifecycle"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(SystemLifecycle message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.FeatureToggle"/> (<c>feature_toggle</c>); unset options take the catalog defaults.</summary>
    /// <param name="feature">Feature name.</param>
    /// <param name="enabled">New state.</param>
    /// <param name="previousState">Previous state.</param>
    /// <param name="changedBy">Who changed it.</param>
    /// <param name="node">Node where toggle was changed. Default: option `node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static FeatureToggle FeatureToggle(
        string feature,
        bool enabled,
        bool previousState,
        string changedBy,
        string? node = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(feature);
        ArgumentNullException.ThrowIfNull(changedBy);
        var ctx = messageContext ?? MessageContext.Default;
        return new FeatureToggle(
            feature,
            enabled,
            previousState,
            changedBy,
            ctx.Now(),
            node ?? ctx.Node);
    }

    /// <summary>Checks a <see cref="ExEsdbGater.FeatureToggle"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(FeatureToggle message) => MessageValidator.Validate(message);

}

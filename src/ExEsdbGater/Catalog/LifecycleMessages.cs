// The LifecycleMessages catalog: its enums, payload records, factories and validators.
using System.Text.Json.Serialization;

namespace ExEsdbGater;

/// <summary>A node's membership step. On the wire: joining, joined, leaving, left, down, reconnected.</summary>
[JsonConverter(typeof(SnakeEnumConverter<NodeLifecycleEvent>))]
public enum NodeLifecycleEvent
{
    /// <summary><c>joining</c></summary>
    Joining,
    /// <summary><c>joined</c></summary>
    Joined,
    /// <summary><c>leaving</c></summary>
    Leaving,
    /// <summary><c>left</c></summary>
    Left,
    /// <summary><c>down</c></summary>
    Down,
    /// <summary><c>reconnected</c></summary>
    Reconnected
}

/// <summary>What happened to a process. On the wire: started, stopped, crashed, restarted.</summary>
[JsonConverter(typeof(SnakeEnumConverter<ProcessLifecycleEvent>))]
public enum ProcessLifecycleEvent
{
    /// <summary><c>started</c></summary>
    Started,
    /// <summary><c>stopped</c></summary>
    Stopped,
    /// <summary><c>crashed</c></summary>
    Crashed,
    /// <summary><c>restarted</c></summary>
    Restarted
}

/// <summary>What a supervisor reported. On the wire: child_started, child_terminated, restart_limit_exceeded.</summary>
[JsonConverter(typeof(SnakeEnumConverter<SupervisionEventKind>))]
public enum SupervisionEventKind
{
    /// <summary><c>child_started</c></summary>
    ChildStarted,
    /// <summary><c>child_terminated</c></summary>
    ChildTerminated,
    /// <summary><c>restart_limit_exceeded</c></summary>
    RestartLimitExceeded
}

/// <summary>A change of cluster membership. On the wire: node_added, node_removed, partition_detected, partition_healed.</summary>
[JsonConverter(typeof(SnakeEnumConverter<MembershipEvent>))]
public enum MembershipEvent
{
    /// <summary><c>node_added</c></summary>
    NodeAdded,
    /// <summary><c>node_removed</c></summary>
    NodeRemoved,
    /// <summary><c>partition_detected</c></summary>
    PartitionDetected,
    /// <summary><c>partition_healed</c></summary>
    PartitionHealed
}

/// <summary>The <c>node_lifecycle_event</c> message of <c>ex_esdb_lifecycle</c>.</summary>
/// <param name="Node">Node name.</param>
/// <param name="Event">The event.</param>
/// <param name="ClusterSize">Size of cluster after event.</param>
/// <param name="Metadata">Additional node information.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record NodeLifecycle(string Node, NodeLifecycleEvent Event, long ClusterSize, JsonMap? Metadata, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "node_lifecycle_event";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Lifecycle;
}

/// <summary>The <c>process_lifecycle_event</c> message of <c>ex_esdb_lifecycle</c>.</summary>
/// <param name="Pid">Process identifier.</param>
/// <param name="Name">Registered process name (if any).</param>
/// <param name="Module">Module of the process.</param>
/// <param name="Event">The event.</param>
/// <param name="Node">Node where process is running.</param>
/// <param name="Reason">Exit reason (for crashes).</param>
/// <param name="RestartCount">Number of restarts (if applicable).</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record ProcessLifecycle(string Pid, string? Name, string Module, ProcessLifecycleEvent Event, string Node, JsonAny? Reason, long? RestartCount, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "process_lifecycle_event";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Lifecycle;
}

/// <summary>The <c>supervision_event</c> message of <c>ex_esdb_lifecycle</c>.</summary>
/// <param name="Supervisor">Supervisor name or pid.</param>
/// <param name="ChildSpec">Child specification.</param>
/// <param name="Event">The event.</param>
/// <param name="Node">Node where supervisor is running.</param>
/// <param name="Reason">Termination reason.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
public sealed record SupervisionEvent(string Supervisor, JsonMap ChildSpec, SupervisionEventKind Event, string Node, JsonAny? Reason, DateTimeOffset Timestamp) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "supervision_event";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Lifecycle;
}

/// <summary>The <c>cluster_membership_changed</c> message of <c>ex_esdb_lifecycle</c>.</summary>
/// <param name="Event">The event.</param>
/// <param name="AffectedNodes">Nodes affected by the change.</param>
/// <param name="ActiveNodes">Currently active nodes.</param>
/// <param name="TotalNodes">Total nodes known to cluster.</param>
/// <param name="QuorumStatus">The quorum status.</param>
/// <param name="Timestamp">When the message was created (UTC, millisecond precision).</param>
/// <param name="OriginatingNode">Node that originated this membership event.</param>
public sealed record ClusterMembership(MembershipEvent Event, ValueList<string> AffectedNodes, ValueList<string> ActiveNodes, long? TotalNodes, QuorumStatus? QuorumStatus, DateTimeOffset Timestamp, string OriginatingNode) : GaterMessage
{
    /// <summary>The message tag on the wire.</summary>
    public const string TagName = "cluster_membership_changed";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => TagName;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Lifecycle;
}

/// <summary>Factories, validators and topics of the <c>ex_esdb_lifecycle</c> instance.</summary>
public static partial class LifecycleMessages
{
    /// <summary>The instance these messages travel on.</summary>
    public const GaterInstance Instance = GaterInstance.Lifecycle;

    /// <summary>Common topic: Node joining/leaving cluster.</summary>
    public const string NodeLifecycleTopic = "node_lifecycle";

    /// <summary>Common topic: Process start/stop/crash events.</summary>
    public const string ProcessLifecycleTopic = "process_lifecycle";

    /// <summary>Common topic: Supervisor tree events.</summary>
    public const string SupervisionTopic = "supervision";

    /// <summary>Common topic: Cluster membership changes.</summary>
    public const string ClusterMembershipTopic = "cluster_membership";

    /// <summary>The payload types of this module, in catalog order.</summary>
    public static IReadOnlyList<Type> PayloadTypes { get; } = [typeof(NodeLifecycle), typeof(ProcessLifecycle), typeof(SupervisionEvent), typeof(ClusterMembership)];

    /// <summary>Creates a <see cref="ExEsdbGater.NodeLifecycle"/> (<c>node_lifecycle</c>); unset options take the catalog defaults.</summary>
    /// <param name="node">Node name.</param>
    /// <param name="event">The event.</param>
    /// <param name="clusterSize">Size of cluster after event.</param>
    /// <param name="metadata">Additional node information. Default: option `metadata`, else empty map.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static NodeLifecycle NodeLifecycle(
        string node,
        NodeLifecycleEvent @event,
        long clusterSize,
        JsonMap? metadata = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var ctx = messageContext ?? MessageContext.Default;
        return new NodeLifecycle(
            node,
            @event,
            clusterSize,
            metadata ?? JsonMap.Empty,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.NodeLifecycle"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(NodeLifecycle message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.ProcessLifecycle"/> (<c>process_lifecycle</c>); unset options take the catalog defaults.</summary>
    /// <param name="pid">Process identifier.</param>
    /// <param name="module">Module of the process.</param>
    /// <param name="event">The event.</param>
    /// <param name="name">Registered process name (if any). Default: option `name`, else null.</param>
    /// <param name="node">Node where process is running. Default: option `node`, else this node.</param>
    /// <param name="reason">Exit reason (for crashes). Default: option `reason`, else null.</param>
    /// <param name="restartCount">Number of restarts (if applicable). Default: option `restart_count`, else 0.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static ProcessLifecycle ProcessLifecycle(
        string pid,
        string module,
        ProcessLifecycleEvent @event,
        string? name = null,
        string? node = null,
        JsonAny? reason = null,
        long? restartCount = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(pid);
        ArgumentNullException.ThrowIfNull(module);
        var ctx = messageContext ?? MessageContext.Default;
        return new ProcessLifecycle(
            pid,
            name,
            module,
            @event,
            node ?? ctx.Node,
            reason,
            restartCount ?? 0,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.ProcessLifecycle"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(ProcessLifecycle message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.SupervisionEvent"/> (<c>supervision_event</c>); unset options take the catalog defaults.</summary>
    /// <param name="supervisor">Supervisor name or pid.</param>
    /// <param name="childSpec">Child specification.</param>
    /// <param name="event">The event.</param>
    /// <param name="node">Node where supervisor is running. Default: option `node`, else this node.</param>
    /// <param name="reason">Termination reason. Default: option `reason`, else null.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static SupervisionEvent SupervisionEvent(
        string supervisor,
        JsonMap childSpec,
        SupervisionEventKind @event,
        string? node = null,
        JsonAny? reason = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(supervisor);
        ArgumentNullException.ThrowIfNull(childSpec);
        var ctx = messageContext ?? MessageContext.Default;
        return new SupervisionEvent(
            supervisor,
            childSpec,
            @event,
            node ?? ctx.Node,
            reason,
            ctx.Now());
    }

    /// <summary>Checks a <see cref="ExEsdbGater.SupervisionEvent"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(SupervisionEvent message) => MessageValidator.Validate(message);

    /// <summary>Creates a <see cref="ExEsdbGater.ClusterMembership"/> (<c>cluster_membership</c>); unset options take the catalog defaults.</summary>
    /// <param name="event">The event.</param>
    /// <param name="affectedNodes">Nodes affected by the change.</param>
    /// <param name="activeNodes">Currently active nodes.</param>
    /// <param name="totalNodes">Total nodes known to cluster. Default: option `total_nodes`, else the length of active_nodes.</param>
    /// <param name="quorumStatus">The quorum status. Default: option `quorum_status`, else :available.</param>
    /// <param name="originatingNode">Node that originated this membership event. Default: option `originating_node`, else this node.</param>
    /// <param name="messageContext">Node name, clock and randomness; <see cref="MessageContext.Default"/> when null.</param>
    public static ClusterMembership ClusterMembership(
        MembershipEvent @event,
        ValueList<string> affectedNodes,
        ValueList<string> activeNodes,
        long? totalNodes = null,
        QuorumStatus? quorumStatus = null,
        string? originatingNode = null,
        MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(affectedNodes);
        ArgumentNullException.ThrowIfNull(activeNodes);
        var ctx = messageContext ?? MessageContext.Default;
        return new ClusterMembership(
            @event,
            affectedNodes,
            activeNodes,
            totalNodes ?? activeNodes.Count,
            quorumStatus ?? QuorumStatus.Available,
            ctx.Now(),
            originatingNode ?? ctx.Node);
    }

    /// <summary>Checks a <see cref="ExEsdbGater.ClusterMembership"/>: required fields, node fields and timestamp.</summary>
    public static ValidationResult Validate(ClusterMembership message) => MessageValidator.Validate(message);

}

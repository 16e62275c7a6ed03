using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace ExEsdbGater;

/// <summary>The kind of node, judged from its name.</summary>
public enum NodeType
{
    /// <summary>A gateway node (its name part contains <c>gater</c>).</summary>
    GaterNode,
    /// <summary>An event-store node (its name part contains <c>store</c>).</summary>
    StoreNode,
    /// <summary>Neither.</summary>
    Unknown,
}

/// <summary>Where this node stands in the cluster.</summary>
/// <param name="Node">This node's name.</param>
/// <param name="ConnectedNodes">The other nodes this node knows to be connected.</param>
/// <param name="ClusterSize">Connected nodes + 1.</param>
/// <param name="NodeType">The kind of this node.</param>
public sealed record ClusterContext(string Node, ValueList<string> ConnectedNodes, int ClusterSize, NodeType NodeType);

/// <summary>The helpers shared by every message module (the original's MessageHelpers).</summary>
public static class MessageHelpers
{
    /// <summary>Now, UTC, truncated to milliseconds, from the given clock (system clock when null).</summary>
    public static DateTimeOffset CurrentTimestamp(TimeProvider? timeProvider = null)
        => Instant.TruncateToMilliseconds((timeProvider ?? TimeProvider.System).GetUtcNow());

    /// <summary>The <c>node</c> option if given, else this node.</summary>
    public static string GetNode(string? node = null, MessageContext? context = null) => node ?? (context ?? MessageContext.Default).Node;

    /// <summary>The <c>originating_node</c> option if given, else this node.</summary>
    public static string GetOriginatingNode(string? originatingNode = null, MessageContext? context = null) => GetNode(originatingNode, context);

    /// <summary>The <c>reporting_node</c> option if given, else this node.</summary>
    public static string GetReportingNode(string? reportingNode = null, MessageContext? context = null) => GetNode(reportingNode, context);

    /// <summary>Ok, or <c>missing_fields</c> with the listed fields that are null (or not fields of the message).</summary>
    public static ValidationResult ValidateMessageFields(GaterMessage message, IEnumerable<string> required)
    {
        var info = Describe(message);
        var missing = MessageValidator.MissingFields(info, message, required ?? throw new ArgumentNullException(nameof(required)));
        return missing.Count == 0 ? ValidationResult.Ok : ValidationResult.Fail(ValidationError.MissingFields, missing);
    }

    /// <summary>Ok, or <c>invalid_node_fields</c> with the node fields whose values are not node names.</summary>
    public static ValidationResult ValidateNodeFields(GaterMessage message)
    {
        var bad = MessageValidator.InvalidNodeFields(Describe(message), message);
        return bad.Count == 0 ? ValidationResult.Ok : ValidationResult.Fail(ValidationError.InvalidNodeFields, bad);
    }

    /// <summary>Required fields plus <c>timestamp</c>, then node fields, then the timestamp (<c>invalid_timestamp</c>).</summary>
    public static ValidationResult ValidateCommon(GaterMessage message, IEnumerable<string> required)
        => MessageValidator.ValidateCommon(Describe(message), message, required ?? throw new ArgumentNullException(nameof(required)), checkKinds: false);

    /// <summary>This node's cluster context, given the nodes it knows to be connected.</summary>
    public static ClusterContext GetClusterContext(IEnumerable<string>? connectedNodes = null, MessageContext? context = null)
    {
        var node = (context ?? MessageContext.Default).Node;
        var connected = new ValueList<string>((connectedNodes ?? []).Where(n => n != node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var name = node[..node.IndexOf('@', StringComparison.Ordinal)];
        var type = name.Contains("gater", StringComparison.OrdinalIgnoreCase) ? NodeType.GaterNode
            : name.Contains("store", StringComparison.OrdinalIgnoreCase) ? NodeType.StoreNode : NodeType.Unknown;
        return new ClusterContext(node, connected, connected.Count + 1, type);
    }

    /// <summary><c>&lt;prefix&gt;_&lt;unix time in microseconds&gt;_&lt;4 random bytes, base64url&gt;</c>.</summary>
    public static string GenerateMessageId(string prefix = "msg", TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var micros = ((timeProvider ?? TimeProvider.System).GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
        Span<byte> rnd = stackalloc byte[4];
        RandomNumberGenerator.Fill(rnd);
        return $"{prefix}_{micros}_{Base64Url.EncodeToString(rnd)}";
    }

    /// <summary>The metadata merged over <c>{"cluster_context": …}</c>; the caller's keys win.</summary>
    public static JsonMap EnrichMetadata(JsonMap? metadata, ClusterContext clusterContext)
    {
        ArgumentNullException.ThrowIfNull(clusterContext);
        var entries = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["cluster_context"] = new Dictionary<string, object?>
            {
                ["node"] = clusterContext.Node,
                ["connected_nodes"] = clusterContext.ConnectedNodes.ToArray(),
                ["cluster_size"] = clusterContext.ClusterSize,
                ["node_type"] = clusterContext.NodeType,
            },
        };
        foreach (var (k, v) in metadata ?? JsonMap.Empty)
        {
            entries[k] = v;
        }
        return JsonMap.From(entries);
    }

    /// <summary>Validates any payload against its catalog type: required fields, node fields, timestamp, value kinds.</summary>
    public static ValidationResult Validate(GaterMessage message) => MessageValidator.Validate(message);

    internal static double RatePerSecond(long count, long durationMs)
        => durationMs > 0 ? count / (durationMs / 1000.0)
            : throw new ArgumentOutOfRangeException(nameof(durationMs), durationMs, "duration_ms must be positive to compute rate_per_sec.");

    internal static long SumCounts(JsonMap counts, string paramName)
    {
        long total = 0;
        foreach (var (key, value) in counts)
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var n))
            {
                throw new ArgumentException($"log_counts['{key}'] is not an integer, so total_logs cannot be summed; pass totalLogs.", paramName);
            }
            total += n;
        }
        return total;
    }

    internal static string CurrentProcessId() => $"{Environment.ProcessId}.{Environment.CurrentManagedThreadId}";

    private static MessageTypeInfo Describe(GaterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return MessageCatalog.Find(message.GetType())
            ?? throw new ArgumentException($"{message.GetType().Name} is not a catalog payload type.", nameof(message));
    }
}

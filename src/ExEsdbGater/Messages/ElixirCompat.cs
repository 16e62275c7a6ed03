using System.Buffers.Text;
using System.Security.Cryptography;

namespace ExEsdbGater.Messages;

/// <summary>
/// The original Elixir API's names, kept for code ported from <c>ExESDBGater.Messages</c>: the registry functions of
/// <c>ExESDBGater.Messages</c> (<c>instance_to_module_map</c>, <c>supported_instances</c>, <c>all_modules</c>,
/// <c>module_for_instance</c>, <c>validate_message</c>) and the helpers of <c>MessageHelpers</c>.
/// New code uses <see cref="MessageCatalog"/> and the module factories; these shims delegate to them.
/// </summary>
public static class ElixirCompat
{
    /// <summary><c>instance_to_module_map</c>: instance wire name → module, for the nine instances that have one.</summary>
    public static IReadOnlyDictionary<string, MessageModule> InstanceToModuleMap { get; }
        = MessageCatalog.Modules.ToDictionary(m => m.Instance.WireName(), StringComparer.Ordinal);

    /// <summary><c>supported_instances</c>: the nine instance names that have a message module.</summary>
    public static IReadOnlyList<string> SupportedInstances { get; } = MessageCatalog.Modules.Select(m => m.Instance.WireName()).ToArray();

    /// <summary><c>all_modules</c>: the nine message modules.</summary>
    public static IReadOnlyList<MessageModule> AllModules => MessageCatalog.Modules;

    /// <summary><c>module_for_instance</c>: the module of an instance name, or null for an unknown instance (or <c>ex_esdb_events</c>).</summary>
    public static MessageModule? ModuleForInstance(string? instance)
        => instance is not null && InstanceToModuleMap.TryGetValue(instance, out var m) ? m : null;

    /// <summary><c>validate_message</c>: validates a message with the module of the named instance; <c>unknown_instance</c> when it has none.</summary>
    public static ValidationResult ValidateMessage(string? instance, GaterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var module = ModuleForInstance(instance);
        if (module is null)
        {
            return ValidationResult.Fail(ValidationError.UnknownInstance, instance ?? "null");
        }
        if (message.Instance != module.Instance)
        {
            return ValidationResult.Fail(ValidationError.WrongInstance, message.Tag);
        }
        return MessageCatalog.Validate(message);
    }

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
        var missing = MissingFields(Describe(message), message, required ?? throw new ArgumentNullException(nameof(required)));
        return missing.Count == 0 ? ValidationResult.Ok : ValidationResult.Fail(ValidationError.MissingFields, missing);
    }

    /// <summary>Ok, or <c>invalid_node_fields</c> with the node fields whose values are not node names.</summary>
    public static ValidationResult ValidateNodeFields(GaterMessage message)
    {
        var bad = InvalidNodeFields(Describe(message), message);
        return bad.Count == 0 ? ValidationResult.Ok : ValidationResult.Fail(ValidationError.InvalidNodeFields, bad);
    }

    /// <summary>Required fields plus <c>timestamp</c>, then node fields, then the timestamp (<c>invalid_timestamp</c>).</summary>
    public static ValidationResult ValidateCommon(GaterMessage message, IEnumerable<string> required)
    {
        ArgumentNullException.ThrowIfNull(required);
        var info = Describe(message);
        var missing = MissingFields(info, message, required.Append("timestamp"));
        if (missing.Count > 0)
        {
            return ValidationResult.Fail(ValidationError.MissingFields, missing);
        }
        var nodes = InvalidNodeFields(info, message);
        if (nodes.Count > 0)
        {
            return ValidationResult.Fail(ValidationError.InvalidNodeFields, nodes);
        }
        return info.Fields.Single(f => f.Name == "timestamp").GetValue(message) is DateTimeOffset { Year: > 1 }
            ? ValidationResult.Ok
            : ValidationResult.Fail(ValidationError.InvalidTimestamp, "timestamp");
    }

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
        NextIdParts((timeProvider ?? TimeProvider.System).GetUtcNow(), out var micros, out var tail);
        Span<byte> tailBytes = stackalloc byte[6];
        Frames.CompactMessageId.UnpackTail(tail, tailBytes);
        Span<char> tailChars = stackalloc char[6];
        System.Text.Ascii.ToUtf16(tailBytes, tailChars, out _);
        // invariant: an id is ASCII, whatever the culture's minus sign
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}_{micros}_{tailChars}");
    }

    // A msg_ id as its parts: the time in microseconds and the tail's six characters packed as CompactMessageId keeps
    // them. A bus publishes these without ever building the id's string, and takes the message's ts from the same
    // reading of the clock.
    internal static void NextIdParts(DateTimeOffset now, out long micros, out long tail)
    {
        micros = (now - DateTimeOffset.UnixEpoch).Ticks / 10;
        Span<byte> rnd = stackalloc byte[4];
        TakeRandom(rnd);
        Span<byte> chars = stackalloc byte[6];
        Base64Url.EncodeToUtf8(rnd, chars);
        tail = Frames.CompactMessageId.PackTail(chars);
    }

    // Random bytes for ids, from a per-thread pool refilled 256 bytes at a time: one call into OpenSSL (with its
    // fork check, a getpid system call) per id was ~5 % of a publishing thread's time. Same generator, same
    // quality; bytes handed out are wiped from the pool.
    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_randomNext;

    private static void TakeRandom(Span<byte> destination)
    {
        var pool = t_random;
        if (pool is null || t_randomNext + destination.Length > pool.Length)
        {
            pool = t_random ??= new byte[256];
            RandomNumberGenerator.Fill(pool);
            t_randomNext = 0;
        }
        var taken = pool.AsSpan(t_randomNext, destination.Length);
        taken.CopyTo(destination);
        taken.Clear();
        t_randomNext += destination.Length;
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

    private static List<string> MissingFields(MessageTypeInfo info, GaterMessage message, IEnumerable<string> required)
        => required.Distinct(StringComparer.Ordinal)
            .Where(name => info.Fields.FirstOrDefault(f => f.Name == name) is not { } field || field.GetValue(message) is null)
            .ToList();

    private static List<string> InvalidNodeFields(MessageTypeInfo info, GaterMessage message)
        => info.Fields.Where(f => f.IsNodeField && f.GetValue(message) is string s && !NodeName.IsValid(s)).Select(f => f.Name).ToList();

    private static MessageTypeInfo Describe(GaterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return MessageCatalog.Find(message.GetType())
            ?? throw new ArgumentException($"{message.GetType().Name} is not a catalog payload type.", nameof(message));
    }
}

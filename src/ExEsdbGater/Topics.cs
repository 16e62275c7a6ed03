namespace ExEsdbGater;

/// <summary>The topic scheme: <c>&lt;store_id&gt;:&lt;sub_topic&gt;</c> and <c>cluster:&lt;sub_topic&gt;</c>.</summary>
public static class Topics
{
    /// <summary>The error name of an unparsable topic.</summary>
    public const string InvalidFormat = "invalid_format";

    /// <summary>The store sub-topics.</summary>
    public static IReadOnlyList<string> StoreSubTopics { get; } = ["health", "lifecycle", "streams", "replicas", "events", "alerts", "performance", "subscriptions"];

    /// <summary>The cluster sub-topics.</summary>
    public static IReadOnlyList<string> ClusterSubTopics { get; } = ["health", "topology", "leader", "discovery", "alerts", "performance"];

    /// <summary><c>&lt;storeId&gt;:health</c></summary>
    public static string StoreHealth(string storeId) => StoreTopic(storeId, "health");

    /// <summary><c>&lt;storeId&gt;:lifecycle</c></summary>
    public static string StoreLifecycle(string storeId) => StoreTopic(storeId, "lifecycle");

    /// <summary><c>&lt;storeId&gt;:streams</c></summary>
    public static string StoreStreams(string storeId) => StoreTopic(storeId, "streams");

    /// <summary><c>&lt;storeId&gt;:replicas</c></summary>
    public static string StoreReplicas(string storeId) => StoreTopic(storeId, "replicas");

    /// <summary><c>&lt;storeId&gt;:events</c></summary>
    public static string StoreEvents(string storeId) => StoreTopic(storeId, "events");

    /// <summary><c>&lt;storeId&gt;:alerts</c></summary>
    public static string StoreAlerts(string storeId) => StoreTopic(storeId, "alerts");

    /// <summary><c>&lt;storeId&gt;:performance</c></summary>
    public static string StorePerformance(string storeId) => StoreTopic(storeId, "performance");

    /// <summary><c>&lt;storeId&gt;:subscriptions</c></summary>
    public static string StoreSubscriptions(string storeId) => StoreTopic(storeId, "subscriptions");

    /// <summary><c>cluster:health</c></summary>
    public static string ClusterHealth() => ClusterTopic("health");

    /// <summary><c>cluster:topology</c></summary>
    public static string ClusterTopology() => ClusterTopic("topology");

    /// <summary><c>cluster:leader</c></summary>
    public static string ClusterLeader() => ClusterTopic("leader");

    /// <summary><c>cluster:discovery</c></summary>
    public static string ClusterDiscovery() => ClusterTopic("discovery");

    /// <summary><c>cluster:alerts</c></summary>
    public static string ClusterAlerts() => ClusterTopic("alerts");

    /// <summary><c>cluster:performance</c></summary>
    public static string ClusterPerformance() => ClusterTopic("performance");

    /// <summary>A custom store topic <c>&lt;storeId&gt;:&lt;subTopic&gt;</c>.</summary>
    /// <exception cref="ArgumentException">The store id is empty or contains <c>:</c>, or the sub-topic is empty.</exception>
    public static string StoreTopic(string storeId, string subTopic)
    {
        if (!IsValidStoreId(storeId) || storeId.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{storeId}' is not a valid store id (non-empty, no ':').", nameof(storeId));
        }
        ArgumentException.ThrowIfNullOrEmpty(subTopic);
        return storeId + ":" + subTopic;
    }

    /// <summary>A custom cluster topic <c>cluster:&lt;subTopic&gt;</c>.</summary>
    public static string ClusterTopic(string subTopic)
    {
        ArgumentException.ThrowIfNullOrEmpty(subTopic);
        return "cluster:" + subTopic;
    }

    /// <summary>True when the topic parses (see <see cref="TryParse"/>).</summary>
    public static bool IsValidTopic(string? topic) => TryParse(topic, out _);

    /// <summary>
    /// Splits a topic on its first <c>:</c>: <c>cluster:&lt;sub&gt;</c> is a cluster topic, any other
    /// <c>a:b</c> a store topic. Both parts must be non-empty.
    /// </summary>
    public static bool TryParse(string? topic, out ParsedTopic parsed)
    {
        parsed = default;
        if (string.IsNullOrEmpty(topic))
        {
            return false;
        }
        var i = topic.IndexOf(':', StringComparison.Ordinal);
        if (i <= 0 || i == topic.Length - 1)
        {
            return false;
        }
        var head = topic[..i];
        var sub = topic[(i + 1)..];
        parsed = head == "cluster" ? new ParsedTopic(TopicScope.Cluster, null, sub) : new ParsedTopic(TopicScope.Store, head, sub);
        return true;
    }

    /// <summary>Parses a topic (see <see cref="TryParse"/>).</summary>
    /// <exception cref="FormatException"><c>invalid_format</c>: the topic does not parse.</exception>
    public static ParsedTopic Parse(string? topic)
        => TryParse(topic, out var p) ? p : throw new FormatException($"{InvalidFormat}: '{topic}' is not <store_id>:<sub_topic> or cluster:<sub_topic>.");

    /// <summary>True for a non-empty store id.</summary>
    public static bool IsValidStoreId(string? storeId) => !string.IsNullOrEmpty(storeId);

    /// <summary>Every store topic of a store.</summary>
    public static IReadOnlyList<string> AllStoreTopics(string storeId) => StoreSubTopics.Select(s => StoreTopic(storeId, s)).ToArray();

    /// <summary>Every cluster topic.</summary>
    public static IReadOnlyList<string> AllClusterTopics() => ClusterSubTopics.Select(ClusterTopic).ToArray();
}

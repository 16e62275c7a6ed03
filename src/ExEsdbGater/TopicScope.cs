namespace ExEsdbGater;

/// <summary>Whether a topic belongs to the cluster or to one store.</summary>
public enum TopicScope
{
    /// <summary><c>cluster:&lt;sub&gt;</c></summary>
    Cluster,
    /// <summary><c>&lt;store_id&gt;:&lt;sub&gt;</c></summary>
    Store,
}

namespace ExEsdbGater;

/// <summary>A parsed topic: scope, store id (null for cluster topics) and sub-topic.</summary>
/// <param name="Scope">Cluster or store.</param>
/// <param name="StoreId">The store id, or null for a cluster topic.</param>
/// <param name="SubTopic">The part after the first <c>:</c>.</param>
public readonly record struct ParsedTopic(TopicScope Scope, string? StoreId, string SubTopic);

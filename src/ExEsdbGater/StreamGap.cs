namespace ExEsdbGater;

/// <summary>Entries of a durable instance's stream that retention trimmed before a reader (or its group) read them.</summary>
/// <param name="Instance">The instance.</param>
/// <param name="Subscription">The subscription's name.</param>
/// <param name="Group">The consumer group, or null for a history reader.</param>
/// <param name="Missing">How many entries were trimmed unread (exact: entries carry their position in the stream).</param>
/// <param name="NextEntryId">The first entry read after them.</param>
public sealed record StreamGap(GaterInstance Instance, string Subscription, string? Group, long Missing, string? NextEntryId);

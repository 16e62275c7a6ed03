namespace ExEsdbGater.Backplanes;

/// <summary>What one read returned.</summary>
/// <param name="Entries">The entries, in stream order.</param>
/// <param name="Missing">Entries retention trimmed before this reader (or its group) read them, found by this read.</param>
/// <param name="End">True when a history reader has read every entry there is now.</param>
public readonly record struct DurableBatch(IReadOnlyList<DurableEntry> Entries, long Missing, bool End);

namespace ExEsdbGater.Backplanes;

/// <summary>One stream entry.</summary>
/// <param name="Id">The entry id, <c>&lt;ms&gt;-&lt;n&gt;</c>: the milliseconds are the store's clock at the append.</param>
/// <param name="Topic">The topic it was appended under (the frame binds it: a different one is <c>topic_mismatch</c>).</param>
/// <param name="Frame">The frame bytes, unchanged; empty for an entry whose fields are missing.</param>
/// <param name="Position">Its position among all entries ever appended to the stream (1, 2, …); 0 if unknown.</param>
/// <param name="Redelivered">True when it was left pending before (by this consumer's earlier run, or claimed from another).</param>
public readonly record struct DurableEntry(string Id, string Topic, ReadOnlyMemory<byte> Frame, long Position, bool Redelivered);

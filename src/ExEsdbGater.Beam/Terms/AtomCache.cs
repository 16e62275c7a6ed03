namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// A small, lossy cache from an atom's encoded bytes to its <see cref="Atom"/>, so the atoms every message repeats
/// (field names, node names, module names) are decoded and allocated once, not per message. Fixed size: a peer
/// sending endless distinct atoms only overwrites slots, never grows it.
/// </summary>
internal static class AtomCache
{
    private const int Slots = 4096;

    private static readonly Entry?[] Entries = new Entry?[Slots];

    /// <summary>The cached atom for these bytes in this encoding, if its slot holds it.</summary>
    public static bool TryGet(ReadOnlySpan<byte> encoded, bool utf8, int hash, out Atom atom)
    {
        var e = Volatile.Read(ref Entries[hash & (Slots - 1)]);
        if (e is not null && e.Utf8 == utf8 && e.Bytes.AsSpan().SequenceEqual(encoded))
        {
            atom = e.Atom;
            return true;
        }
        atom = null!;
        return false;
    }

    public static void Add(ReadOnlySpan<byte> encoded, bool utf8, int hash, Atom atom)
        => Volatile.Write(ref Entries[hash & (Slots - 1)], new Entry(encoded.ToArray(), utf8, atom));

    public static int Hash(ReadOnlySpan<byte> encoded)
    {
        var h = new HashCode();
        h.AddBytes(encoded);
        return h.ToHashCode();
    }

    private sealed record Entry(byte[] Bytes, bool Utf8, Atom Atom);
}

using System.Text;

namespace ExEsdbGater.Frames;

/// <summary>
/// The strings of node names seen lately, found by their UTF-8 bytes: a cluster has few nodes and each verified
/// message names one twice (envelope and payload), so receiving reuses one string instead of allocating two.
/// </summary>
/// <remarks>
/// A fixed table of 256 slots, one entry each, replaced on a miss: bounded whatever senders send, lock-free (an entry
/// is immutable and published whole), and a collision costs only an allocation, as before.
/// </remarks>
internal static class NodeNameCache
{
    // longer names are rare and not worth keeping
    private const int MaxBytes = 128;

    private static readonly Entry?[] Slots = new Entry?[256];

    private sealed class Entry(byte[] utf8, string text)
    {
        public readonly byte[] Utf8 = utf8;
        public readonly string Text = text;
    }

    /// <summary>The string of these UTF-8 bytes, from the table when it has them.</summary>
    public static string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes)
        {
            return Encoding.UTF8.GetString(utf8);
        }
        var hash = new HashCode();
        hash.AddBytes(utf8);
        ref var slot = ref Slots[hash.ToHashCode() & (Slots.Length - 1)];
        if (Volatile.Read(ref slot) is { } hit && hit.Utf8.AsSpan().SequenceEqual(utf8))
        {
            return hit.Text;
        }
        var text = Encoding.UTF8.GetString(utf8);
        Volatile.Write(ref slot, new Entry(utf8.ToArray(), text));
        return text;
    }
}

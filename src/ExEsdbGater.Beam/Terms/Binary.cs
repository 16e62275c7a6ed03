using System.Text;

namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// A binary or bitstring. <see cref="TrailingBits"/> is 8 for a whole-byte binary, else the bits (1–7) used of the
/// last byte (BIT_BINARY_EXT).
/// </summary>
internal sealed class Binary : Term
{
    public Binary(ReadOnlyMemory<byte> bytes, int trailingBits = 8)
    {
        if (trailingBits is < 1 or > 8 || (trailingBits != 8 && bytes.IsEmpty))
        {
            throw new ArgumentOutOfRangeException(nameof(trailingBits), trailingBits, "bits of the last byte must be 1..8, and a bitstring needs a last byte");
        }
        Bytes = bytes;
        TrailingBits = trailingBits;
    }

    public ReadOnlyMemory<byte> Bytes { get; }

    public int TrailingBits { get; }

    public bool IsBitString => TrailingBits != 8;

    /// <summary>A UTF-8 binary (an Elixir string).</summary>
    public static Binary Utf8(string s) => new(Encoding.UTF8.GetBytes(s));

    /// <summary>The bytes as UTF-8 text, when they are valid UTF-8 and whole bytes.</summary>
    public bool TryGetString(out string value)
    {
        value = "";
        if (IsBitString)
        {
            return false;
        }
        try
        {
            value = new UTF8Encoding(false, true).GetString(Bytes.Span);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    public override bool Equals(Term? other) => other is Binary b && b.TrailingBits == TrailingBits && b.Bytes.Span.SequenceEqual(Bytes.Span);

    private int _hash;

    // Computed once: nested terms are hashed at every level of a decoded map's duplicate-key check.
    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var h = new HashCode();
            h.AddBytes(Bytes.Span);
            h.Add(TrailingBits);
            var v = h.ToHashCode();
            _hash = v == 0 ? 1 : v;
        }
        return _hash;
    }

    public override string ToString() => TryGetString(out var s) ? "<<\"" + s + "\">>" : $"<<{Bytes.Length} bytes>>";
}

namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// A term carried but not interpreted: a fun (NEW_FUN_EXT) or an export (EXPORT_EXT), kept as its encoded bytes,
/// tag included, so it can be written back byte for byte.
/// </summary>
internal sealed class Opaque : Term
{
    public Opaque(ReadOnlyMemory<byte> encoded)
    {
        if (encoded.IsEmpty)
        {
            throw new ArgumentException("an opaque term needs its tag byte", nameof(encoded));
        }
        Encoded = encoded;
    }

    /// <summary>The term's encoding, starting with its tag byte.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    public byte Tag => Encoded.Span[0];

    public override bool Equals(Term? other) => other is Opaque o && o.Encoded.Span.SequenceEqual(Encoded.Span);

    public override int GetHashCode() => HashCode.Combine(Tag, Encoded.Length);

    public override string ToString() => Tag == 113 ? "#Function<export>" : "#Function<>";
}

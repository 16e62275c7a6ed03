namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// An Erlang term as decoded from, or to be encoded into, the external term format. Terms are immutable; equality is
/// structural (Erlang's exact equality, except that map pairs compare in their stored order).
/// </summary>
/// <remarks>
/// The model keeps what re-encoding a received term byte for byte needs: map pairs in the order they arrived, and
/// opaque terms (funs) as their raw bytes. Everything else has one canonical encoding, the one term_to_binary uses.
/// </remarks>
internal abstract class Term : IEquatable<Term>
{
    public abstract bool Equals(Term? other);

    public sealed override bool Equals(object? obj) => obj is Term t && Equals(t);

    public abstract override int GetHashCode();

    /// <summary>Erlang-like text (for errors and logs, bounded by the caller).</summary>
    public abstract override string ToString();
}

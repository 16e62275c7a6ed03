namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// A list: its elements and its tail, which is <see cref="Nil"/> for a proper list. The empty list is
/// <see cref="Empty"/>. A list of bytes is a <see cref="List"/> too, however it was encoded.
/// </summary>
internal sealed class List : Term
{
    public static readonly List Empty = new([]);

    public List(IReadOnlyList<Term> elements, Term? tail = null)
    {
        if (elements.Count == 0 && tail is not null && tail is not List { IsEmpty: true })
        {
            throw new ArgumentException("an improper list needs at least one element", nameof(tail));
        }
        // [a | [b | T]] is [a, b | T]: one shape per value, as in Erlang.
        if (tail is List { IsEmpty: false } rest)
        {
            Elements = [.. elements, .. rest.Elements];
            _tail = rest._tail;
        }
        else
        {
            Elements = elements;
            _tail = tail is List { IsEmpty: true } ? null : tail;
        }
    }

    private readonly Term? _tail;

    /// <summary>The tail of a proper list: the empty list (NIL_EXT).</summary>
    public static Term Nil => Empty;

    public IReadOnlyList<Term> Elements { get; }

    public Term Tail => _tail ?? Empty;

    public bool IsEmpty => Elements.Count == 0;

    public bool IsProper => _tail is null;

    public override bool Equals(Term? other) => other is List l && l.Elements.SequenceEqual(Elements) && Equals(l._tail, _tail);

    private int _hash;

    // Computed once: nested terms are hashed at every level of a decoded map's duplicate-key check.
    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var h = new HashCode();
            foreach (var e in Elements)
            {
                h.Add(e);
            }
        h.Add(_tail);
            var v = h.ToHashCode();
            _hash = v == 0 ? 1 : v;
        }
        return _hash;
    }

    public override string ToString() => "[" + string.Join(", ", Elements) + (IsProper ? "" : " | " + Tail) + "]";
}

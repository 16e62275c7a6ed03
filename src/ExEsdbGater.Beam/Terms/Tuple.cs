namespace ExEsdbGater.Beam.Terms;

/// <summary>A tuple.</summary>
internal sealed class Tuple : Term
{
    public Tuple(params Term[] elements)
    {
        Elements = elements;
    }

    public IReadOnlyList<Term> Elements { get; }

    public int Arity => Elements.Count;

    public Term this[int index] => Elements[index];

    /// <summary>True when this is a tuple of <paramref name="arity"/> whose first element is the atom <paramref name="tag"/>.</summary>
    public bool IsTagged(string tag, int arity) => Arity == arity && Arity > 0 && Elements[0] is Atom a && a.Name == tag;

    public override bool Equals(Term? other) => other is Tuple t && t.Elements.SequenceEqual(Elements);

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
            var v = h.ToHashCode();
            _hash = v == 0 ? 1 : v;
        }
        return _hash;
    }

    public override string ToString() => "{" + string.Join(", ", Elements) + "}";
}

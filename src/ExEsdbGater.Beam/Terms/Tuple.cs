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

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var e in Elements)
        {
            h.Add(e);
        }
        return h.ToHashCode();
    }

    public override string ToString() => "{" + string.Join(", ", Elements) + "}";
}

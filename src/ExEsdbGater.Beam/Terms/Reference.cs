namespace ExEsdbGater.Beam.Terms;

/// <summary>A reference (NEWER_REFERENCE_EXT): node, creation and 1–5 id words.</summary>
internal sealed class Reference : Term
{
    public Reference(Atom node, uint creation, IReadOnlyList<uint> ids)
    {
        if (ids.Count is < 1 or > 5)
        {
            throw new ArgumentOutOfRangeException(nameof(ids), ids.Count, "a reference has 1 to 5 id words");
        }
        Node = node;
        Creation = creation;
        Ids = ids;
    }

    public Atom Node { get; }

    public uint Creation { get; }

    public IReadOnlyList<uint> Ids { get; }

    public override bool Equals(Term? other) => other is Reference r && r.Node.Equals(Node) && r.Creation == Creation && r.Ids.SequenceEqual(Ids);

    public override int GetHashCode() => HashCode.Combine(Node, Creation, Ids.Count > 0 ? Ids[0] : 0);

    public override string ToString() => $"#Reference<{Node.Name}.{string.Join('.', Ids)}>";
}

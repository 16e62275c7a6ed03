namespace ExEsdbGater.Beam.Terms;

/// <summary>A port identifier (NEW_PORT_EXT or V4_PORT_EXT).</summary>
internal sealed class Port : Term
{
    public Port(Atom node, ulong id, uint creation)
    {
        Node = node;
        Id = id;
        Creation = creation;
    }

    public Atom Node { get; }

    public ulong Id { get; }

    public uint Creation { get; }

    public override bool Equals(Term? other) => other is Port p && p.Node.Equals(Node) && p.Id == Id && p.Creation == Creation;

    public override int GetHashCode() => HashCode.Combine(Node, Id, Creation);

    public override string ToString() => $"#Port<{Node.Name}.{Id}>";
}

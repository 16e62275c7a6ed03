namespace ExEsdbGater.Beam.Terms;

/// <summary>A process identifier (NEW_PID_EXT): node, id, serial and the node's creation.</summary>
internal sealed class Pid : Term
{
    public Pid(Atom node, uint id, uint serial, uint creation)
    {
        Node = node;
        Id = id;
        Serial = serial;
        Creation = creation;
    }

    public Atom Node { get; }

    public uint Id { get; }

    public uint Serial { get; }

    public uint Creation { get; }

    public override bool Equals(Term? other) => other is Pid p && p.Node.Equals(Node) && p.Id == Id && p.Serial == Serial && p.Creation == Creation;

    public override int GetHashCode() => HashCode.Combine(Node, Id, Serial, Creation);

    public override string ToString() => $"#PID<{Node.Name}.{Id}.{Serial}>";
}

namespace ExEsdbGater.Messages;

/// <summary>The kind of node, judged from its name.</summary>
public enum NodeType
{
    /// <summary>A gateway node (its name part contains <c>gater</c>).</summary>
    GaterNode,
    /// <summary>An event-store node (its name part contains <c>store</c>).</summary>
    StoreNode,
    /// <summary>Neither.</summary>
    Unknown,
}

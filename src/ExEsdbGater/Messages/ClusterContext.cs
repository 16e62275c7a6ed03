namespace ExEsdbGater.Messages;

/// <summary>Where this node stands in the cluster.</summary>
/// <param name="Node">This node's name.</param>
/// <param name="ConnectedNodes">The other nodes this node knows to be connected.</param>
/// <param name="ClusterSize">Connected nodes + 1.</param>
/// <param name="NodeType">The kind of this node.</param>
public sealed record ClusterContext(string Node, ValueList<string> ConnectedNodes, int ClusterSize, NodeType NodeType);

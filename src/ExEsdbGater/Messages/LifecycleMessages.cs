// The hand-written part of LifecycleMessages: factory values the catalog marks "custom" (the rest is generated).

namespace ExEsdbGater.Messages;

public static partial class LifecycleMessages
{
    private static partial long ClusterMembershipTotalNodes(ValueList<string> activeNodes) => activeNodes.Count;
}

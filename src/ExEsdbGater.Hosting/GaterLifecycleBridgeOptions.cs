namespace ExEsdbGater.Hosting;

/// <summary>The lifecycle bridge's settings (see <see cref="GaterBuilderExtensions.AddLifecycleBridge"/>).</summary>
public sealed class GaterLifecycleBridgeOptions
{
    /// <summary>The topic NodeLifecycle messages are published on.</summary>
    /// <value>Default <c>node_lifecycle</c> (<see cref="LifecycleMessages.NodeLifecycleTopic"/>).</value>
    public string Topic { get; set; } = LifecycleMessages.NodeLifecycleTopic;
}

using ExEsdbGater.Hosting.Bridges;

namespace ExEsdbGater.Hosting;

/// <summary>What the builder collected for one bus: its transport, DI handlers and bridges.</summary>
internal sealed class GaterBusSetup(string name)
{
    public string Name { get; } = name;

    public string Section => GaterHostDefaults.SectionOf(Name);

    /// <summary>The transport's name for logs and health data, when one was added.</summary>
    public string? BackplaneName { get; private set; }

    public Func<IServiceProvider, CancellationToken, Task<IGaterBackplane>>? ConnectBackplane { get; private set; }

    /// <summary>True when the Redis backplane was added: its connection string becomes required.</summary>
    public bool UsesRedis { get; set; }

    public List<HandlerRegistration> Handlers { get; } = [];

    public List<Func<IServiceProvider, GaterBusRuntime, GaterBridge>> Bridges { get; } = [];

    /// <summary>The bridges already added, so adding one twice is refused rather than publishing twice.</summary>
    public HashSet<string> BridgeKinds { get; } = new(StringComparer.Ordinal);

    public void SetBackplane(string backplaneName, Func<IServiceProvider, CancellationToken, Task<IGaterBackplane>> connect)
    {
        if (ConnectBackplane is not null)
        {
            throw new InvalidOperationException($"The bus '{Name}' already has the {BackplaneName} backplane; a bus has one backplane.");
        }
        BackplaneName = backplaneName;
        ConnectBackplane = connect;
    }

    public void AddBridge(string kind, Func<IServiceProvider, GaterBusRuntime, GaterBridge> create)
    {
        if (!BridgeKinds.Add(kind))
        {
            throw new InvalidOperationException($"The {kind} bridge is already added to the bus '{Name}'.");
        }
        Bridges.Add(create);
    }
}

using ExEsdbGater.Hosting.Bridges;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExEsdbGater.Hosting;

/// <summary>One hosted bus and what lives beside it: its deferred backplane, bridges and lifetime state.</summary>
internal sealed class GaterBusRuntime
{
    private readonly IServiceProvider _services;
    private readonly Lazy<IGaterBus> _bus;
    private int _phase;

    public GaterBusRuntime(IServiceProvider services, GaterBusSetup setup)
    {
        _services = services;
        Setup = setup;
        Time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _bus = new Lazy<IGaterBus>(Create);
        Bridges = setup.Bridges.Select(b => b(services, this)).ToArray();
    }

    public GaterBusSetup Setup { get; }

    public TimeProvider Time { get; }

    /// <summary>The bus, created on first use (at the latest when the host starts).</summary>
    public IGaterBus Bus => _bus.Value;

    public bool IsCreated => _bus.IsValueCreated;

    public DeferredBackplane? Backplane { get; private set; }

    /// <summary>Factories' context: this bus's node and the host's clock.</summary>
    public MessageContext Context { get; private set; } = MessageContext.Default;

    public IReadOnlyList<GaterBridge> Bridges { get; }

    /// <summary>Where the bus is in the host's lifetime.</summary>
    public GaterBusPhase Phase => (GaterBusPhase)Volatile.Read(ref _phase);

    public void Enter(GaterBusPhase phase) => Volatile.Write(ref _phase, (int)phase);

    public GaterHostOptions Options => _services.GetRequiredService<IOptionsMonitor<GaterHostOptions>>().Get(Setup.Name);

    public ILoggerFactory? LoggerFactory => _services.GetService<ILoggerFactory>();

    private IGaterBus Create()
    {
        var o = Options;
        var keys = KeyRing.Create(new KeyRingOptions
        {
            Secret = GaterHostOptionsValidation.SecretOf(o, _services.GetService<IConfiguration>()),
            PreviousSecrets = [.. o.PreviousSecrets],
            AllowUnsigned = o.AllowUnsigned,
        });
        if (Setup.ConnectBackplane is { } connect)
        {
            Backplane = new DeferredBackplane(Setup.BackplaneName!, ct => connect(_services, ct));
        }
        var bus = GaterBus.Create(new GaterBusOptions
        {
            NodeName = o.NodeName,
            Keys = keys,
            Backplane = Backplane,
            Verifier = new VerifierOptions { MaxAge = o.Verifier.MaxAge, MaxSkew = o.Verifier.MaxSkew, ReplayCapacity = o.Verifier.ReplayCapacity, TimeProvider = Time },
            InboundCapacity = o.InboundCapacity,
            InboundMaxBytes = o.InboundMaxBytes,
            ReceiveWorkers = o.ReceiveWorkers,
            EventQueueCapacity = o.EventQueueCapacity,
            LoggerFactory = LoggerFactory,
        });
        Context = new MessageContext(bus.Node, Time);
        return bus;
    }

    /// <summary>The queue a DI handler on <paramref name="instance"/> gets: its own settings, else its instance's, else the default.</summary>
    public SubscriptionOptions QueueFor(GaterInstance instance, string name)
    {
        var o = Options;
        foreach (var (key, settings) in o.Instances)
        {
            if (GaterHostOptionsValidation.TryParseInstance(key, out var i) && i == instance)
            {
                return settings.ToSubscriptionOptions(name);
            }
        }
        return o.Handlers.ToSubscriptionOptions(name);
    }
}

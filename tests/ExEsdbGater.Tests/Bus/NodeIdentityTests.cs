using ExEsdbGater;
using ExEsdbGater.Tests.Frames;

namespace ExEsdbGater.Tests.Bus;

/// <summary>One node identity per bus: the envelope's node and the node fields of what it publishes agree.</summary>
public sealed class NodeIdentityTests
{
    private const string Secret = "node-identity-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    private static IGaterBus Bus(string node, InProcessHub? hub = null)
        => GaterBus.Create(new GaterBusOptions { NodeName = node, Keys = KeyRing.Of(GaterKey.FromSecret(Secret)), Backplane = hub?.Connect() });

    private static SystemAlert Alert(string? node = null, MessageContext? context = null)
        => AlertMessages.SystemAlert(AlertSeverity.Warning, AlertCategory.System, "t", "d", "s", node: node, messageContext: context);

    [Fact]
    public async Task A_factory_default_node_becomes_the_bus_node_in_the_signed_frame()
    {
        var hub = new InProcessHub();
        await using var publisher = Bus("pub@host", hub);
        await using var receiver = Bus("recv@host", hub);
        await using var stream = await receiver.OpenStreamAsync(GaterInstance.Alerts, "cluster:alerts");
        var alert = Alert();
        Assert.Equal("tests@localhost", alert.Node);

        var receipt = await publisher.BroadcastAsync("cluster:alerts", alert);

        Assert.Equal("pub@host", receipt.Envelope.Node);
        Assert.Equal("pub@host", Assert.IsType<SystemAlert>(receipt.Message).Node);
        var delivered = await stream.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("pub@host", delivered.Envelope!.Node);
        Assert.Equal("pub@host", Assert.IsType<SystemAlert>(delivered.Message).Node);
        // everything else is the message as built
        Assert.Equal(alert with { Node = "pub@host" }, delivered.Message);
    }

    [Fact]
    public async Task Local_broadcast_binds_the_same_way()
    {
        await using var bus = Bus("pub@host");
        await using var stream = await bus.OpenStreamAsync(GaterInstance.Alerts, "a");
        await bus.LocalBroadcastAsync("a", Alert());
        Assert.Equal("pub@host", Assert.IsType<SystemAlert>((await stream.Reader.ReadAsync()).Message).Node);
    }

    [Fact]
    public async Task A_node_the_caller_gave_is_kept()
    {
        await using var bus = Bus("pub@host");
        Assert.Equal("given@host", ((SystemAlert)(await bus.BroadcastAsync("a", Alert(node: "given@host"))).Message!).Node);
        Assert.Equal("ctx@host", ((SystemAlert)(await bus.BroadcastAsync("a", Alert(context: new MessageContext("ctx@host")))).Message!).Node);
        // set afterwards with `with`: the caller's value, even if it equals the process default
        Assert.Equal("later@host", ((SystemAlert)(await bus.BroadcastAsync("a", Alert() with { Node = "later@host" })).Message!).Node);
        Assert.Equal("tests@localhost", ((SystemAlert)(await bus.BroadcastAsync("a", Alert() with { Node = "tests@localhost" })).Message!).Node);
        // an argument is always the caller's
        var health = HealthMessages.NodeHealth("other@host", NodeHealthStatus.Healthy);
        Assert.Equal("other@host", ((NodeHealth)(await bus.BroadcastAsync("cluster:health", health)).Message!).Node);
    }

    [Fact]
    public async Task Every_defaulted_node_field_is_bound_including_node_lists()
    {
        await using var bus = Bus("pub@host");
        var summary = LoggingMessages.LogSummary("1h", JsonMap.Empty);
        Assert.Equal(["tests@localhost"], summary.NodesReporting!);
        var bound = (LogSummary)(await bus.BroadcastAsync("a", summary)).Message!;
        Assert.Equal("pub@host", bound.Node);
        Assert.Equal(["pub@host"], bound.NodesReporting!);
        var kept = (LogSummary)(await bus.BroadcastAsync("a", LoggingMessages.LogSummary("1h", JsonMap.Empty, nodesReporting: new ValueList<string>(["x@y"])))).Message!;
        Assert.Equal(["x@y"], kept.NodesReporting!);
        Assert.Equal("pub@host", kept.Node);
    }

    [Fact]
    public async Task The_bus_context_names_the_bus_node_and_uses_its_clock()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = "pub@host", Keys = KeyRing.Of(GaterKey.FromSecret(Secret)), Verifier = new VerifierOptions { TimeProvider = clock } });
        Assert.Equal("pub@host", bus.Context.Node);
        Assert.Same(clock, bus.Context.Time);
        var alert = Alert(context: bus.Context);
        Assert.Equal("pub@host", alert.Node);
        Assert.Equal(clock.GetUtcNow(), alert.Timestamp);
    }

    [Fact]
    public void The_marker_is_not_part_of_the_value()
    {
        var context = new MessageContext("tests@localhost");
        var a = HealthMessages.ClusterHealth(HealthStatus.Healthy, 1, 1);
        var b = a with { Node = a.Node };
        Assert.NotEqual(0, a.DefaultedNodeFields);
        Assert.Equal(0, b.DefaultedNodeFields);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.DoesNotContain("Defaulted", a.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, HealthMessages.ClusterHealth(HealthStatus.Healthy, 1, 1, messageContext: context).DefaultedNodeFields);
    }
}

/// <summary>A bad EXG_NODE_NAME fails only where the process default node is needed.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class NodeIdentityEnvironmentTests
{
    [Fact]
    public async Task A_bad_environment_node_name_does_not_break_a_bus_with_a_valid_node_name()
    {
        var saved = MessageContext.Default;
        using var env = new EnvScope((NodeName.EnvironmentVariable, "bad name"));
        MessageContext.ResetDefault();
        try
        {
            await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = "pub@host", Keys = KeyRing.Of(GaterKey.FromSecret("env-secret-0123456789-abcdefghijklmnopqrstuvwxyz")) });
            // explicit node fields and the bus's context never consult the environment
            var health = HealthMessages.NodeHealth("a@h", NodeHealthStatus.Healthy);
            var alert = AlertMessages.SystemAlert(AlertSeverity.Info, AlertCategory.System, "t", "d", "s", node: "given@host");
            var viaBus = AlertMessages.SystemAlert(AlertSeverity.Info, AlertCategory.System, "t", "d", "s", messageContext: bus.Context);
            await bus.BroadcastAsync("cluster:health", health);
            await bus.BroadcastAsync("a", alert);
            Assert.Equal("pub@host", ((SystemAlert)(await bus.BroadcastAsync("a", viaBus)).Message!).Node);
            // only where the default node itself is needed does the bad value fail, naming the variable
            var ex = Assert.Throws<GaterConfigurationException>(() => AlertMessages.SystemAlert(AlertSeverity.Info, AlertCategory.System, "t", "d", "s"));
            Assert.Contains(NodeName.EnvironmentVariable, ex.Message, StringComparison.Ordinal);
            Assert.Contains("bus.Context", ex.Message, StringComparison.Ordinal);
            Assert.Throws<GaterConfigurationException>(() => GaterBus.Create(new GaterBusOptions { Keys = KeyRing.Empty }));
        }
        finally
        {
            MessageContext.Default = saved;
        }
    }
}

/// <summary>GaterBus.Create fails fast without a secret, unless the caller chose a key ring.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class BusKeysEnvironmentTests
{
    [Fact]
    public async Task Create_without_any_secret_names_SECRET_KEY_BASE_unless_a_ring_is_given()
    {
        using var env = new EnvScope(("SECRET_KEY_BASE", null), ("SECRET_KEY_BASE_PREVIOUS", null));
        var ex = Assert.Throws<GaterConfigurationException>(() => GaterBus.Create(new GaterBusOptions { NodeName = "n@h" }));
        Assert.Contains("SECRET_KEY_BASE", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KeyRing.Empty", ex.Message, StringComparison.Ordinal);
        // an explicit empty ring is a choice: a bus that delivers only locally
        await using var local = GaterBus.Create(new GaterBusOptions { NodeName = "n@h", Keys = KeyRing.Empty });
        await using var stream = await local.OpenStreamAsync(GaterInstance.Health, "cluster:health");
        await local.LocalBroadcastAsync("cluster:health", HealthMessages.NodeHealth("a@h", NodeHealthStatus.Healthy));
        Assert.True(stream.Reader.TryRead(out _));
        await using var dev = GaterBus.Create(new GaterBusOptions { NodeName = "n@h", Keys = KeyRing.UnsignedDevelopment });
        using (new EnvScope(("SECRET_KEY_BASE", "env-secret-0123456789-abcdefghijklmnopqrstuvwxyz")))
        {
            await using var fromEnv = GaterBus.Create(new GaterBusOptions { NodeName = "n@h" });
            Assert.True((await fromEnv.BroadcastAsync("cluster:health", HealthMessages.NodeHealth("a@h", NodeHealthStatus.Healthy))).FrameBytes > 0);
        }
    }
}

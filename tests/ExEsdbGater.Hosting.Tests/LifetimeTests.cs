using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>The bus is up before other hosted services start and until they have stopped; at stop it drains.</summary>
public sealed class LifetimeTests
{
    [Fact]
    public async Task Other_hosted_services_can_publish_from_start_to_stop()
    {
        using var host = TestHosts.Build(TestHosts.Settings("life@host"), b =>
        {
            b.Services.AddExEsdbGater().Collect<NodeHealth>("cluster:health");
            b.Services.AddHostedService<PublishesAtStartAndStop>();
        });
        await host.StartAsync();
        await host.StopAsync();
        var inbox = host.Services.GetRequiredService<Inbox>();
        // both were handled before the bus went down: the one sent from StopAsync too
        Assert.Equal(["start", "stop"], inbox.Of<NodeHealth>().Select(h => h.Checks!["phase"].GetString()));
        var bus = host.Services.GetRequiredService<IGaterBus>();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("x@y", NodeHealthStatus.Healthy)));
    }

    [Fact]
    public async Task Messages_queued_at_stop_are_delivered_before_the_bus_goes_down()
    {
        using var host = TestHosts.Build(TestHosts.Settings("drain@host"), b => b.Services.AddExEsdbGater().AddHandler<SlowHandler>("cluster:*"));
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<IGaterBus>();
        for (var i = 0; i < 40; i++)
        {
            await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("drain@host", NodeHealthStatus.Healthy));
        }
        Assert.True(bus.GetBacklog().Subscribers > 0);
        await host.StopAsync();
        Assert.Equal(40, SlowHandler.Handled("drain@host"));
        Assert.Equal(0, bus.Statistics.Dropped);
    }

    [Fact]
    public async Task What_the_shutdown_timeout_cuts_off_is_counted_as_dropped_not_lost()
    {
        using var host = TestHosts.Build(TestHosts.Settings("cut@host"), b =>
        {
            b.Services.AddExEsdbGater().AddHandler<SlowHandler>("cluster:*");
            b.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300));
        });
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<IGaterBus>();
        for (var i = 0; i < 200; i++)
        {
            await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("cut@host", NodeHealthStatus.Healthy));
        }
        await host.StopAsync();
        var handled = SlowHandler.Handled("cut@host");
        Assert.True(handled < 200, $"handled {handled}");
        Assert.Equal(200, handled + bus.Statistics.Dropped);
    }

    [Fact]
    public async Task Each_message_gets_its_own_scope_disposed_after_it()
    {
        using var host = TestHosts.Build(TestHosts.Settings("scope@host"), b =>
        {
            b.Services.AddScoped<ScopedThing>();
            b.Services.AddExEsdbGater().AddHandler<ScopedHandler>("*:health");
        });
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<IGaterBus>();
        for (var i = 0; i < 3; i++)
        {
            await bus.BroadcastStoreHealthAsync("store-1", HealthMessages.HealthCheck("disk", "scope@host", HealthCheckResult.Pass));
        }
        await TestHosts.Until(() => ScopedHandler.Seen.Count(s => s.Node == "scope@host") == 3, "three handled messages");
        await host.StopAsync();
        var seen = ScopedHandler.Seen.Where(s => s.Node == "scope@host").Select(s => s.Thing).ToArray();
        Assert.Equal(3, seen.Distinct().Count());
        Assert.All(seen, t => Assert.True(t.Disposed));
    }

    [Fact]
    public async Task A_throwing_DI_handler_is_reported_and_the_next_message_still_handled()
    {
        using var host = TestHosts.Build(TestHosts.Settings("throw@host"), b => b.Services.AddExEsdbGater().AddHandler<ThrowsOnFirst>("cluster:health"));
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<IGaterBus>();
        var failures = new ConcurrentQueue<HandlerFailure>();
        bus.HandlerFailed += failures.Enqueue;
        await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("throw@host", NodeHealthStatus.Healthy));
        await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("throw@host", NodeHealthStatus.Degraded));
        await TestHosts.Until(() => ThrowsOnFirst.Handled.Contains("throw@host"), "the second message");
        await TestHosts.Until(() => failures.Count == 1, "the failure event");
        Assert.Contains("ThrowsOnFirst", failures.Single().Subscription, StringComparison.Ordinal);
        Assert.Equal(1, bus.Statistics.HandlerErrors);
        await host.StopAsync();
    }

    [Fact]
    public void A_handler_of_no_payload_type_is_refused_at_registration()
    {
        var services = new ServiceCollection();
        var ex = Assert.Throws<ArgumentException>(() => services.AddExEsdbGater().AddHandler<ScopedThing>("cluster:health"));
        Assert.Contains("exactly one payload type", ex.Message, StringComparison.Ordinal);
    }

    private sealed class PublishesAtStartAndStop(IGaterBus bus) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
            => await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth(bus.Node, NodeHealthStatus.Healthy, checks: JsonMap.Of(("phase", "start"))), cancellationToken);

        public async Task StopAsync(CancellationToken cancellationToken)
            => await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth(bus.Node, NodeHealthStatus.Healthy, checks: JsonMap.Of(("phase", "stop"))), cancellationToken);
    }

    private sealed class SlowHandler : IGaterHandler<NodeHealth>
    {
        private static readonly ConcurrentDictionary<string, int> Counts = new();

        public static int Handled(string node) => Counts.GetValueOrDefault(node);

        public async ValueTask HandleAsync(NodeHealth message, Envelope envelope, CancellationToken cancellationToken)
        {
            await Task.Delay(10, CancellationToken.None);
            Counts.AddOrUpdate(message.Node, 1, (_, n) => n + 1);
        }
    }

    internal sealed class ScopedThing : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private sealed class ScopedHandler(ScopedThing thing) : IGaterHandler<HealthCheck>
    {
        public static ConcurrentQueue<(string Node, ScopedThing Thing)> Seen { get; } = new();

        public ValueTask HandleAsync(HealthCheck message, Envelope envelope, CancellationToken cancellationToken)
        {
            Assert.False(thing.Disposed);
            Seen.Enqueue((message.Node, thing));
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ThrowsOnFirst : IGaterHandler<NodeHealth>
    {
        public static ConcurrentBag<string> Handled { get; } = [];

        public ValueTask HandleAsync(NodeHealth message, Envelope envelope, CancellationToken cancellationToken)
        {
            if (message.Status == NodeHealthStatus.Healthy)
            {
                throw new InvalidOperationException("first one fails");
            }
            Handled.Add(message.Node);
            return ValueTask.CompletedTask;
        }
    }
}

using ExEsdbGater.Backplanes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using HealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>Readiness follows the bus's traffic: drops by slow consumers over the window, and the inbound backlog.</summary>
public sealed class ReadinessTrafficTests
{
    [Fact]
    public async Task Drops_by_a_full_DropNewest_handler_degrade_readiness_for_the_window()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = TestHosts.Build(TestHosts.Settings("drops@host"), b =>
        {
            b.Services.AddSingleton<TimeProvider>(time).AddSingleton<Gate>();
            b.Services.AddExEsdbGater().AddHandler<Blocked>("cluster:health", new SubscriptionOptions { Capacity = 2, FullMode = QueueFullMode.DropNewest, Name = "blocked" });
            b.Services.AddHealthChecks().AddExEsdbGater(configure: o => o.Window = TimeSpan.FromMinutes(1));
        });
        await host.StartAsync();
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        var bus = host.Services.GetRequiredService<IGaterBus>();
        Assert.Equal(HealthStatus.Healthy, (await Ready(checks)).Status);

        for (var i = 0; i < 10; i++)
        {
            await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("drops@host", NodeHealthStatus.Healthy));
        }
        await TestHosts.Until(() => bus.Statistics.Dropped > 0, "drops");
        var degraded = await Ready(checks);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("deliveries dropped", degraded.Entries["exesdbgater"].Description, StringComparison.Ordinal);

        host.Services.GetRequiredService<Gate>().Open();
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HealthStatus.Degraded, (await Ready(checks)).Status);
        // no new drops, and the ones seen are older than the window (checks further apart than it count only what is new)
        time.Advance(TimeSpan.FromSeconds(61));
        var healthy = await Ready(checks);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(0L, healthy.Entries["exesdbgater"].Data["dropped_in_window"]);
        await host.StopAsync();
    }

    [Fact]
    public async Task An_inbound_backlog_behind_a_blocked_Wait_mode_handler_degrades_then_fails_readiness()
    {
        var hub = new InProcessHub();
        using var host = TestHosts.Build(TestHosts.Settings("backlog@host", more: ("ExEsdbGater:InboundCapacity", "100")), b =>
        {
            b.Services.AddSingleton<Gate>();
            b.Services.AddExEsdbGater()
                .AddBackplane("hub", (_, _) => Task.FromResult(hub.Connect()))
                .AddHandler<Blocked>("cluster:health", new SubscriptionOptions { Capacity = 1, FullMode = QueueFullMode.Wait, Name = "blocked" });
            b.Services.AddHealthChecks().AddExEsdbGater(configure: o => (o.InboundBacklogDegraded, o.InboundBacklogUnhealthy) = (0.05, 0.5));
        });
        await host.StartAsync();
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        var receiver = host.Services.GetRequiredService<IGaterBus>();
        Assert.Equal(HealthStatus.Healthy, (await Ready(checks)).Status);
        // another node on the same hub: its frames are verified and wait in the receiver's inbound queue
        await using var sender = GaterBus.Create(new GaterBusOptions { NodeName = "sender@host", Keys = KeyRing.Of(GaterKey.FromSecret(TestHosts.Secret)), Backplane = hub.Connect() });
        async Task Send(int n)
        {
            for (var i = 0; i < n; i++)
            {
                await sender.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("sender@host", NodeHealthStatus.Healthy));
            }
        }

        await Send(10);
        await UntilReady(checks, HealthStatus.Degraded);
        Assert.Contains("inbound backlog", (await Ready(checks)).Entries["exesdbgater"].Description, StringComparison.Ordinal);
        await Send(60);
        await UntilReady(checks, HealthStatus.Unhealthy);
        Assert.True(receiver.GetBacklog().Inbound >= 50);

        host.Services.GetRequiredService<Gate>().Open();
        await UntilReady(checks, HealthStatus.Healthy);
        var gate = host.Services.GetRequiredService<Gate>();
        await TestHosts.Until(() => gate.Handled == 70, "every message handled");
        Assert.Equal((0L, 0L), (receiver.Statistics.Dropped, receiver.Statistics.InboundDropped));
        await host.StopAsync();
    }

    private static Task<HealthReport> Ready(HealthCheckService checks) => checks.CheckHealthAsync(r => r.Tags.Contains("ready"));

    private static async Task UntilReady(HealthCheckService checks, HealthStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await Ready(checks)).Status != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"readiness did not become {status}");
            await Task.Delay(20);
        }
    }

    /// <summary>Holds every handler until opened, and counts what they handled.</summary>
    private sealed class Gate
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _handled;

        public Task Opened => _open.Task;

        public int Handled => Volatile.Read(ref _handled);

        public void Open() => _open.TrySetResult();

        public void Count() => Interlocked.Increment(ref _handled);
    }

    private sealed class Blocked(Gate gate) : IGaterHandler<NodeHealth>
    {
        public async ValueTask HandleAsync(NodeHealth message, Envelope envelope, CancellationToken cancellationToken)
        {
            await gate.Opened.WaitAsync(cancellationToken);
            gate.Count();
        }
    }
}

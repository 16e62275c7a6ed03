using System.Diagnostics.Metrics;
using ExEsdbGater.Hosting.Bridges;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using MsHealthCheckResult = Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult;
using MsHealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>
/// The rate limits of the health, metrics and alert bridges, on a real host and bus with the host's clock faked.
/// The host's own health publisher is held off; reports from the real HealthCheckService are handed to the bridge as it would.
/// </summary>
public sealed class BridgeLimitTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private IHost Host(string node, Action<IGaterBuilder, HostApplicationBuilder> configure) => TestHosts.Build(TestHosts.Settings(node), b =>
    {
        b.Services.AddSingleton<TimeProvider>(_time);
        b.Services.Configure<HealthCheckPublisherOptions>(o => o.Delay = TimeSpan.FromDays(1));
        configure(b.Services.AddExEsdbGater(), b);
    });

    private static T Bridge<T>(IHost host) => host.Services.GetRequiredKeyedService<GaterBusRuntime>("").Bridges.OfType<T>().Single();

    [Fact]
    public async Task The_health_bridge_publishes_the_same_status_at_most_once_per_minimum_interval()
    {
        var status = MsHealthStatus.Healthy;
        using var host = Host("hb@host", (g, b) =>
        {
            g.AddHealthBridge(o => o.MinInterval = TimeSpan.FromSeconds(10)).Collect<NodeHealth>("cluster:health");
            b.Services.AddHealthChecks().AddCheck("work", () => new MsHealthCheckResult(status));
        });
        await host.StartAsync();
        var bridge = Bridge<HealthBridge>(host);
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        async Task Report() => await bridge.PublishAsync(await checks.CheckHealthAsync(), CancellationToken.None);

        await Report();
        await Report();
        _time.Advance(TimeSpan.FromSeconds(9));
        await Report();
        Assert.Equal((1L, 2L), (bridge.Published, bridge.Skipped));
        status = MsHealthStatus.Degraded;
        await Report(); // a change goes out at once
        _time.Advance(TimeSpan.FromSeconds(9));
        await Report();
        Assert.Equal((2L, 3L), (bridge.Published, bridge.Skipped));
        _time.Advance(TimeSpan.FromSeconds(1));
        await Report(); // the interval has passed
        Assert.Equal((3L, 3L), (bridge.Published, bridge.Skipped));

        var inbox = host.Services.GetRequiredService<Inbox>();
        await TestHosts.Until(() => inbox.Of<NodeHealth>().Count() == 3, "three reports");
        await host.StopAsync();
        Assert.Equal([NodeHealthStatus.Healthy, NodeHealthStatus.Degraded, NodeHealthStatus.Degraded], inbox.Of<NodeHealth>().Select(h => h.Status));
    }

    [Fact]
    public async Task The_metrics_bridge_publishes_at_most_its_maximum_per_interval()
    {
        using var meter = new Meter("BridgeLimitTests.Jobs");
        var jobs = meter.CreateCounter<long>("jobs.done");
        // the clock never moves: the bridge's own timer never fires, and each interval is run here
        using var host = Host("mb@host", (g, _) => g
            .AddMetricsBridge(o =>
            {
                (o.Interval, o.MaxMessagesPerInterval) = (TimeSpan.FromSeconds(1), 4);
                o.Meters.Add("BridgeLimitTests.Jobs");
            })
            .Collect<ResourceUsage>("*").Collect<PerformanceMetric>("*").Collect<ThroughputMetric>("*"));
        await host.StartAsync();
        var bridge = Bridge<MetricsBridge>(host);

        // cpu, memory, gc heap, gc collections, gc pause, then jobs.done: 6 messages for a budget of 4
        jobs.Add(3);
        await bridge.PublishOnceAsync(CancellationToken.None);
        Assert.Equal((4L, 2L), (bridge.Published, bridge.Skipped));
        // no jobs since: 5 for 4
        await bridge.PublishOnceAsync(CancellationToken.None);
        Assert.Equal((8L, 3L), (bridge.Published, bridge.Skipped));

        var inbox = host.Services.GetRequiredService<Inbox>();
        await TestHosts.Until(() => inbox.Items.Count == 8, "eight messages");
        await host.StopAsync();
        Assert.Equal(8, inbox.Items.Count);
        Assert.Equal(4, inbox.Of<ResourceUsage>().Count());
        Assert.Equal(["gc_heap_size", "gc_collections", "gc_heap_size", "gc_collections"], inbox.Of<PerformanceMetric>().Select(p => p.MetricName));
        Assert.Empty(inbox.Of<ThroughputMetric>());
    }

    [Fact]
    public async Task The_alert_bridge_raises_at_most_its_maximum_per_minute()
    {
        using var host = Host("ab@host", (g, b) =>
        {
            g.AddAlertBridge(o => o.MaxAlertsPerMinute = 2).Collect<SystemAlert>("*");
            var hc = b.Services.AddHealthChecks();
            foreach (var name in new[] { "a", "b", "c" })
            {
                hc.AddCheck(name, () => MsHealthCheckResult.Unhealthy(name + " is down"));
            }
        });
        await host.StartAsync();
        var bridge = Bridge<AlertBridge>(host);
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        async Task Report() => await bridge.PublishAsync(await checks.CheckHealthAsync(), CancellationToken.None);

        await Report();
        Assert.Equal((2, 1L), (bridge.Open.Count, bridge.Skipped));
        _time.Advance(TimeSpan.FromSeconds(59));
        await Report(); // the two open ones are not raised again; the third is still over the limit
        Assert.Equal((2, 2L), (bridge.Open.Count, bridge.Skipped));
        _time.Advance(TimeSpan.FromSeconds(1));
        await Report();
        Assert.Equal((3, 2L), (bridge.Open.Count, bridge.Skipped));

        var inbox = host.Services.GetRequiredService<Inbox>();
        await TestHosts.Until(() => inbox.Of<SystemAlert>().Count() == 3, "three alerts");
        await host.StopAsync();
        Assert.Equal(["health:a", "health:b", "health:c"], inbox.Of<SystemAlert>().Select(a => a.Source).Order(StringComparer.Ordinal));
    }
}

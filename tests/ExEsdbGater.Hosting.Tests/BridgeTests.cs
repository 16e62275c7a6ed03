using System.Diagnostics.Metrics;
using ExEsdbGater.Hosting.Bridges;
using ExEsdbGater.Redis.Tests;
using Microsoft.Extensions.DependencyInjection;
using HealthCheckPublisherOptions = Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckPublisherOptions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MsHealthCheckResult = Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>Each bridge on one host; what it publishes arrives typed and verified on a second host over real Redis.</summary>
public sealed class BridgeTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private string _prefix = "";

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _prefix = "b" + Guid.NewGuid().ToString("N")[..8] + ":";
    }

    public Task DisposeAsync() => _redis.DisposeAsync();

    private IHost Host(string node, Action<IGaterBuilder, HostApplicationBuilder> configure)
        => TestHosts.Build(TestHosts.Settings(node, _redis.ConnectionString, ("ExEsdbGater:Redis:Prefix", _prefix)), b =>
        {
            b.Services.Configure<HealthCheckPublisherOptions>(o => (o.Delay, o.Period) = (TimeSpan.Zero, TimeSpan.FromSeconds(1)));
            configure(b.Services.AddExEsdbGater().AddRedisBackplane(), b);
        });

    // The second host: collects every family the bridges publish, from anyone.
    private IHost Watcher() => Host("watcher@hosts", (g, _) => g
        .Collect<NodeHealth>("cluster:health").Collect<ComponentHealth>("*:health").Collect<HealthCheck>("*:health")
        .Collect<LogEntry>("*").Collect<PerformanceMetric>("*").Collect<ThroughputMetric>("*").Collect<LatencyMetric>("*").Collect<ResourceUsage>("*").Collect<MetricAlert>("*")
        .Collect<NodeLifecycle>("*").Collect<SystemAlert>("*").Collect<AlertAck>("*"));

    [Fact]
    public async Task Health_reports_arrive_as_node_component_and_check_messages()
    {
        using var watcher = Watcher();
        await watcher.StartAsync();
        using var service = Host("svc@hosts", (g, b) =>
        {
            g.AddHealthBridge(o => o.StoreId = "orders");
            b.Services.AddHealthChecks().AddCheck("disk", () => MsHealthCheckResult.Degraded("disk 91% full", data: new Dictionary<string, object> { ["free_gb"] = 3 }));
        });
        await service.StartAsync();
        var inbox = watcher.Services.GetRequiredService<Inbox>();
        await TestHosts.Until(() => inbox.Of<HealthCheck>().Any() && inbox.Of<NodeHealth>().Any(), "health messages");
        var (node, env) = inbox.With<NodeHealth>().First();
        Assert.Equal(("svc@hosts", NodeHealthStatus.Degraded, "svc@hosts"), (node.Node, node.Status, env.Node));
        Assert.Equal("degraded", node.Checks!["disk"].GetString());
        var component = inbox.Of<ComponentHealth>().First();
        Assert.Equal(("disk", HealthStatus.Degraded, 3), (component.Component, component.Status, component.Details!["free_gb"].GetInt32()));
        var (check, checkEnv) = inbox.With<HealthCheck>().First();
        Assert.Equal(("disk", HealthCheckResult.Fail, "disk 91% full", "orders:health"), (check.CheckName, check.Result, check.Error, checkEnv.Topic));
        await service.StopAsync();
        await watcher.StopAsync();
    }

    [Fact]
    public async Task Log_entries_arrive_with_their_structured_state_and_never_the_bus_own_logs()
    {
        using var watcher = Watcher();
        await watcher.StartAsync();
        using var service = Host("logs@hosts", (g, _) => g.AddLogBridge(o => o.MinimumLevel = LogLevel.Information).AddHandler<Throws>("cluster:health"));
        await service.StartAsync();
        var logger = service.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orders.Checkout");
        logger.LogInformation("Order {OrderId} paid {Amount}", "o-17", 12.5);
        logger.LogDebug("below the minimum level");
        logger.LogError(new InvalidOperationException("card declined"), "Order {OrderId} failed", "o-18");
        // the bus logs this handler's failure itself (category ExEsdbGater.Bus): that log must not come back as a LogEntry
        await service.Services.GetRequiredService<IGaterBus>().BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("logs@hosts", NodeHealthStatus.Healthy));
        var inbox = watcher.Services.GetRequiredService<Inbox>();
        await TestHosts.Until(() => inbox.Of<LogEntry>().Count(e => e.Module == "Orders.Checkout") == 2, "two log entries");
        await service.StopAsync();
        await watcher.StopAsync();
        var entries = inbox.With<LogEntry>().Where(e => e.Envelope.Node == "logs@hosts").ToArray();
        var paid = entries.Single(e => e.Message.Level == LogEntryLevel.Info && e.Message.Module == "Orders.Checkout");
        Assert.Equal("Order o-17 paid 12.5", paid.Message.Message);
        Assert.Equal(("o-17", 12.5, "Order {OrderId} paid {Amount}"), (paid.Message.Metadata!["OrderId"].GetString(), paid.Message.Metadata!["Amount"].GetDouble(), paid.Message.Metadata!["template"].GetString()));
        Assert.Equal("application_logs", paid.Envelope.Topic);
        var failed = entries.Single(e => e.Message.Level == LogEntryLevel.Error);
        Assert.Equal("error_logs", failed.Envelope.Topic);
        Assert.Contains("card declined", failed.Message.Metadata!["exception"].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(entries, e => e.Message.Module.StartsWith("ExEsdbGater", StringComparison.Ordinal) || e.Message.Message.Contains("below", StringComparison.Ordinal));
        Assert.Equal(1, service.Services.GetRequiredService<IGaterBus>().Statistics.HandlerErrors);
    }

    [Fact]
    public async Task Metrics_arrive_as_resource_usage_throughput_latency_and_performance()
    {
        using var meter = new Meter("BridgeTests.Orders");
        var orders = meter.CreateCounter<long>("orders.placed");
        var latency = meter.CreateHistogram<double>("orders.latency", "ms");
        var queue = meter.CreateUpDownCounter<int>("orders.queue", "{order}");
        using var watcher = Watcher();
        await watcher.StartAsync();
        using var service = Host("metrics@hosts", (g, _) => g.AddMetricsBridge(o =>
        {
            o.Interval = TimeSpan.FromMilliseconds(300);
            o.Meters.Add("BridgeTests.Orders");
        }));
        await service.StartAsync();
        var inbox = watcher.Services.GetRequiredService<Inbox>();
        await TestHosts.Until(() => inbox.Of<ResourceUsage>().Any(), "process figures");
        orders.Add(5);
        orders.Add(2);
        queue.Add(3);
        for (var i = 1; i <= 100; i++)
        {
            latency.Record(i);
        }
        await TestHosts.Until(() => inbox.Of<ThroughputMetric>().Any(t => t.Operation == "orders.placed") && inbox.Of<LatencyMetric>().Any(), "instrument figures");
        await service.StopAsync();
        await watcher.StopAsync();
        Assert.Equal(7, inbox.Of<ThroughputMetric>().Where(t => t.Operation == "orders.placed").Sum(t => t.Count));
        var p95 = inbox.Of<LatencyMetric>().Single(l => l.Percentile == LatencyPercentile.P95);
        Assert.Equal(("orders.latency", 95.0, 100L), (p95.Operation, p95.LatencyMs, p95.SampleCount));
        Assert.Contains(inbox.Of<PerformanceMetric>(), p => p.MetricName == "orders.queue" && p.Value == 3);
        Assert.Contains(inbox.Of<PerformanceMetric>(), p => p.MetricName == "gc_heap_size" && p.Value > 0);
        Assert.Contains(inbox.Of<ResourceUsage>(), r => r.ResourceType == ResourceType.Memory && r.CurrentUsed > 0 && r.Node == "metrics@hosts");
        Assert.Contains(inbox.Of<ResourceUsage>(), r => r.ResourceType == ResourceType.Cpu);
    }

    [Fact]
    public async Task Lifecycle_arrives_joining_joined_leaving_left_with_the_cluster_size()
    {
        using var watcher = Host("watcher@hosts", (g, _) => g.AddLifecycleBridge().Collect<NodeLifecycle>("*"));
        await watcher.StartAsync();
        using var service = Host("life@hosts", (g, _) => g.AddLifecycleBridge());
        await service.StartAsync();
        await service.StopAsync();
        var inbox = watcher.Services.GetRequiredService<Inbox>();
        await TestHosts.Until(() => inbox.Of<NodeLifecycle>().Count(l => l.Node == "life@hosts") == 4, "four lifecycle events");
        await watcher.StopAsync();
        var events = inbox.Of<NodeLifecycle>().Where(l => l.Node == "life@hosts").ToArray();
        Assert.Equal([NodeLifecycleEvent.Joining, NodeLifecycleEvent.Joined, NodeLifecycleEvent.Leaving, NodeLifecycleEvent.Left], events.Select(e => e.Event));
        // life@hosts heard watcher@hosts? Only if it joined after: it did not, so it counts itself alone
        Assert.Equal([1L, 1L, 1L, 0L], events.Select(e => e.ClusterSize));
        Assert.Equal("hosting-tests", events[0].Metadata!["application"].GetString());
    }

    [Fact]
    public async Task An_unhealthy_check_raises_an_alert_that_is_acknowledged_and_resolved()
    {
        var failing = true;
        using var watcher = Watcher();
        await watcher.StartAsync();
        using var service = Host("alerts@hosts", (g, b) =>
        {
            g.AddAlertBridge();
            b.Services.AddHealthChecks().AddCheck("disk", () => failing
                ? MsHealthCheckResult.Unhealthy("disk full", data: new Dictionary<string, object> { ["metric"] = "disk_usage", ["value"] = 97.5, ["threshold"] = 90 })
                : MsHealthCheckResult.Healthy());
        });
        await service.StartAsync();
        var inbox = watcher.Services.GetRequiredService<Inbox>();
        await TestHosts.Until(() => inbox.Of<SystemAlert>().Any() && inbox.Of<MetricAlert>().Any(), "the alerts");
        var (alert, env) = inbox.With<SystemAlert>().Single();
        Assert.Equal((AlertSeverity.Error, true, "health:disk", "warnings", "alerts@hosts"), (alert.Severity, alert.RequiresAck, alert.Source, env.Topic, env.Node));
        var metric = inbox.Of<MetricAlert>().Single();
        Assert.Equal(("disk_usage", 97.5, 90.0, ThresholdType.Max, MetricAlertSeverity.Critical), (metric.MetricName, metric.CurrentValue, metric.ThresholdValue, metric.ThresholdType, metric.Severity));

        // an operator on the other host acknowledges it
        var watcherBus = watcher.Services.GetRequiredService<IGaterBus>();
        await watcherBus.BroadcastAsync(AlertMessages.NotificationsTopic, AlertMessages.AlertAck(alert.AlertId, "ops@watcher", node: "watcher@hosts"));
        var bridge = (AlertBridge)service.Services.GetRequiredKeyedService<GaterBusRuntime>("").Bridges.Single();
        await TestHosts.Until(() => bridge.Open["disk"].AckedBy == "ops@watcher", "the acknowledgement");

        failing = false;
        await TestHosts.Until(() => inbox.Of<AlertAck>().Any(a => a.Resolution is not null), "the resolution");
        var resolution = inbox.Of<AlertAck>().Single(a => a.Resolution is not null);
        Assert.Equal((alert.AlertId, "alerts@hosts", "disk is healthy again", "acknowledged by ops@watcher"), (resolution.AlertId, resolution.AckBy, resolution.Resolution, resolution.AckNote));
        Assert.Single(inbox.Of<SystemAlert>());
        await service.StopAsync();
        await watcher.StopAsync();
    }

    private sealed class Throws : IGaterHandler<NodeHealth>
    {
        public ValueTask HandleAsync(NodeHealth message, Envelope envelope, CancellationToken cancellationToken) => throw new InvalidOperationException("handler bug");
    }
}

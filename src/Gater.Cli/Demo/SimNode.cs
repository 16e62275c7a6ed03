using System.Collections.Concurrent;
using System.Threading.Channels;
using ExEsdbGater;

namespace Gater.Cli.Demo;

/// <summary>One simulated cluster node: publishes realistic traffic on all nine instances.</summary>
internal sealed class SimNode(IGaterBus bus, string storeId, int index, int clusterSize, double rate, int seed)
{
    private readonly Random _rng = new(seed);
    private readonly MessageContext _ctx = new(bus.Node);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _openAlerts = new();
    // acks to send, handed over by the alert handler: the handler never publishes, so it never waits on its own queue
    private readonly Channel<(string AlertId, DateTimeOffset Due)> _acks = Channel.CreateBounded<(string, DateTimeOffset)>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private double _cpu = 20 + (seed % 20);
    private double _memory = 40 + (seed % 15);
    private double _disk = 55 + (seed % 10);
    private long _tick;

    public IGaterBus Bus => bus;

    public string Name => bus.Node;

    private string Store(string sub) => Topics.StoreTopic(storeId, sub);

    /// <summary>Start-up reports: one message of every kind, so every instance and type is seen at once.</summary>
    public async Task BootAsync(CancellationToken ct)
    {
        var n = Name;
        await Pub("config", SystemMessages.SystemLifecycle(SystemLifecycleEvent.Started, "ex_esdb", "0.8.0", messageContext: _ctx), ct);
        await Pub("config", SystemMessages.SystemConfig("pool", JsonMap.Of(("pool_size", 10)), previousConfig: JsonMap.Of(("pool_size", 5)), messageContext: _ctx), ct);
        await Pub("features", SystemMessages.FeatureToggle("snapshots", true, false, "ops@" + storeId, messageContext: _ctx), ct);
        await Pub(Store("lifecycle"), LifecycleMessages.NodeLifecycle(n, NodeLifecycleEvent.Joined, clusterSize, messageContext: _ctx), ct);
        await Pub(Store("lifecycle"), LifecycleMessages.ProcessLifecycle("<0.412.0>", "ExESDB.Writer", ProcessLifecycleEvent.Started, messageContext: _ctx), ct);
        await Pub(Store("lifecycle"), LifecycleMessages.SupervisionEvent("ExESDB.System", JsonMap.Of(("id", "writer"), ("restart", "permanent")), SupervisionEventKind.ChildStarted, messageContext: _ctx), ct);
        await Pub("cluster:membership", LifecycleMessages.ClusterMembership(MembershipEvent.NodeAdded, new ValueList<string>([n]), new ValueList<string>([n]), messageContext: _ctx), ct);
        await Pub(Store("health"), HealthMessages.ComponentHealth("raft", n, HealthStatus.Healthy, messageContext: _ctx), ct);
        await Pub(Store("health"), HealthMessages.HealthCheck("disk_space", n, HealthCheckResult.Pass, durationMs: 3, messageContext: _ctx), ct);
        await Pub("performance", MetricsMessages.PerformanceMetric("gc_pause", 1.2, "ms", component: "vm", messageContext: _ctx), ct);
        await Pub("performance", MetricsMessages.MetricAlert("disk_usage", _disk, 90, ThresholdType.Max, MetricAlertSeverity.Warning, messageContext: _ctx), ct);
        await Pub("session_events", SecurityMessages.SessionEvent("sess-" + _rng.Next(1000, 9999), "alice", SessionEventType.Created, sourceIp: "10.1.0.4", messageContext: _ctx), ct);
        await Pub("security_alerts", SecurityMessages.SecurityAlert(SecurityAlertType.PolicyViolation, Severity.Low, "TLS 1.1 client refused", messageContext: _ctx), ct);
        await Pub("compliance", AuditMessages.ComplianceEvent(ComplianceEventType.DataRetention, "gdpr-art-5", JsonMap.Of(("streams", 3)), "archived", automated: true, messageContext: _ctx), ct);
        await Pub("admin_actions", AuditMessages.AdminAction("root", AdminActionType.ConfigUpdated, "pool", justification: "capacity", messageContext: _ctx), ct);
        await Pub("system_state", DiagnosticsMessages.SystemState(SnapshotType.Partial, JsonMap.Of(("processes", 412)), "boot", processCount: 412, messageContext: _ctx), ct);
        await Pub("performance_analysis", DiagnosticsMessages.PerformanceAnalysis("writer", AnalysisType.IoAnalysis, JsonMap.Of(("fsync_ms", 2.1)), recommendations: new ValueList<string>(["batch fsync"]), messageContext: _ctx), ct);
        await Pub("system_logs", LoggingMessages.LogFilter(LogFilterType.Level, JsonAny.From("debug"), LogFilterAction.Exclude, messageContext: _ctx), ct);
        await Pub("system_logs", LoggingMessages.LogRotation("system", "/var/log/exesdb/system.log.1", "/var/log/exesdb/system.log", fileSize: 10_485_760, messageContext: _ctx), ct);
        await Pub("access_violations", SecurityMessages.AccessViolation(ViolationType.PermissionDenied, "/admin/keys", "rotate", userId: "bob", messageContext: _ctx), ct);
        await Pub(Store("events"), new ApplicationEvent("stream_appended", JsonMap.Of(("stream", "orders-" + index), ("version", 1))), ct);
        await Pub("notifications", AlertMessages.NotificationStatus("boot-" + index, DeliveryMethod.Webhook, "https://hooks.example/ops", DeliveryStatus.Delivered, messageContext: _ctx), ct);
    }

    /// <summary>Steady traffic until cancelled: <c>rate</c> steps a second, paced by due times.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var pacer = new Pacer(rate, TimeProvider.System);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await StepAsync(ct);
                await pacer.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a simulated node keeps running whatever one publish does
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _failures);
                if (_failures == 1)
                {
                    await Console.Error.WriteLineAsync($"gater demo: {Name}: publish failed: {ex.Message}");
                }
            }
        }
    }

    private long _failures;

    public long Failures => Interlocked.Read(ref _failures);

    private async Task StepAsync(CancellationToken ct)
    {
        var t = _tick++;
        _cpu = Math.Clamp(_cpu + ((_rng.NextDouble() - 0.48) * 9), 3, 99);
        _memory = Math.Clamp(_memory + ((_rng.NextDouble() - 0.5) * 2), 20, 97);
        _disk = Math.Clamp(_disk + (_rng.NextDouble() * 0.05), 10, 99);
        var n = Name;
        switch (t % 20)
        {
            case 0:
                var status = _cpu > 90 ? NodeHealthStatus.Degraded : NodeHealthStatus.Healthy;
                await Pub("cluster:health", HealthMessages.NodeHealth(n, status, checks: JsonMap.Of(("raft", "ok"), ("disk", _disk > 90 ? "low" : "ok")), loadAvg: Math.Round(_cpu / 25, 2), memoryUsage: Math.Round(_memory, 1), diskUsage: Math.Round(_disk, 1), messageContext: _ctx), ct);
                break;
            case 1:
                await Pub("resource_usage", MetricsMessages.ResourceUsage(ResourceType.Cpu, Math.Round(_cpu, 1), 100, (long)_cpu, messageContext: _ctx), ct);
                break;
            case 2:
                await Pub("latency", MetricsMessages.LatencyMetric("append", Math.Round(2 + (_cpu / 10) + _rng.NextDouble(), 2), LatencyPercentile.P99, 500 + _rng.Next(500), messageContext: _ctx), ct);
                break;
            case 3:
                await Pub("throughput", MetricsMessages.ThroughputMetric("append", 4000 + _rng.Next(3000), 1000, messageContext: _ctx), ct);
                break;
            case 4:
                await Pub("application_logs", LoggingMessages.LogEntry(_rng.Next(10) == 0 ? LogEntryLevel.Warn : LogEntryLevel.Info, $"appended batch of {_rng.Next(10, 500)} events", "ExESDB.Writer", function: "append/3", line: 88, messageContext: _ctx), ct);
                break;
            case 5:
                var ok = _rng.Next(6) != 0;
                await Pub("auth_events", SecurityMessages.AuthEvent(ok ? "alice" : "mallory", ok ? AuthEventType.LoginSuccess : AuthEventType.LoginFailure, AuthMethod.Password, sourceIp: ok ? "10.1.0.4" : "203.0.113.9", messageContext: _ctx), ct);
                if (!ok && _rng.Next(3) == 0)
                {
                    await Pub("access_violations", SecurityMessages.AccessViolation(ViolationType.RateLimitExceeded, "/streams/orders", "read", sourceIp: "203.0.113.9", severity: Severity.High, messageContext: _ctx), ct);
                }
                break;
            case 6:
                await Pub("data_changes", AuditMessages.DataChange("svc-orders", "stream", "orders-" + _rng.Next(100), DataAction.Create, messageContext: _ctx), ct);
                break;
            case 7:
                await Pub("access_logs", AuditMessages.AccessLog("svc-billing", "stream", "invoices", "read", true, durationMs: _rng.Next(1, 20), messageContext: _ctx), ct);
                break;
            case 8:
                await Pub("debug_traces", DiagnosticsMessages.DebugTrace("writer", "append", JsonMap.Of(("batch", _rng.Next(500))), durationMs: _rng.Next(1, 9), messageContext: _ctx), ct);
                break;
            case 9:
                await MaybeAlertAsync(ct);
                break;
            case 10:
                await EscalateOverdueAsync(ct);
                break;
            case 11:
                if (index == 0)
                {
                    var healthy = Math.Max(0, clusterSize - (_cpu > 90 ? 1 : 0));
                    await Pub("cluster:health", HealthMessages.ClusterHealth(healthy == clusterSize ? HealthStatus.Healthy : HealthStatus.Degraded, healthy, clusterSize, messageContext: _ctx), ct);
                }
                break;
            case 12:
                if (_rng.Next(4) == 0)
                {
                    await Pub("error_analysis", DiagnosticsMessages.ErrorAnalysis("timeout", "replica ack timed out", frequency: _rng.Next(1, 5), messageContext: _ctx), ct);
                    await Pub("error_logs", LoggingMessages.LogEntry(LogEntryLevel.Error, "replica ack timed out after 5000 ms", "ExESDB.Replicator", messageContext: _ctx), ct);
                }
                break;
            case 13:
                if (t % 100 == 13)
                {
                    await Pub("system_logs", LoggingMessages.LogSummary("last_minute", JsonMap.Of(("info", _rng.Next(100, 400)), ("warn", _rng.Next(0, 20)), ("error", _rng.Next(0, 5))), errorRate: Math.Round(_rng.NextDouble(), 2), messageContext: _ctx), ct);
                }
                break;
            case 14:
                await Pub("performance", MetricsMessages.PerformanceMetric("memory_used", Math.Round(_memory, 1), "%", component: "vm", messageContext: _ctx), ct);
                break;
            case 15:
                if (_rng.Next(8) == 0)
                {
                    await Pub("features", SystemMessages.FeatureToggle("compression", _rng.Next(2) == 0, true, "ops", messageContext: _ctx), ct);
                }
                break;
            case 16:
                if (_rng.Next(10) == 0)
                {
                    await Pub("security_alerts", SecurityMessages.SecurityAlert(SecurityAlertType.BruteForce, Severity.High, "repeated login failures for mallory", affectedUsers: new ValueList<string>(["mallory"]), sourceIp: "203.0.113.9", messageContext: _ctx), ct);
                }
                break;
            case 17:
                if (_rng.Next(6) == 0)
                {
                    await Pub(Store("lifecycle"), LifecycleMessages.ProcessLifecycle("<0." + _rng.Next(100, 999) + ".0>", "ExESDB.Subscriptions.Worker", ProcessLifecycleEvent.Restarted, restartCount: _rng.Next(1, 3), messageContext: _ctx), ct);
                }
                break;
        }
    }

    private async Task MaybeAlertAsync(CancellationToken ct)
    {
        if (_cpu < 70 && _rng.Next(6) != 0)
        {
            return;
        }
        var severity = _cpu > 85 ? AlertSeverity.Critical : _cpu > 70 ? AlertSeverity.Error : AlertSeverity.Warning;
        var alert = AlertMessages.SystemAlert(severity, AlertCategory.Performance, $"CPU at {_cpu:0}% on {DemoState.Short(Name)}", "sustained CPU load on the writer", "cpu_monitor", messageContext: _ctx);
        await Pub(severity >= AlertSeverity.Error ? "critical" : "warnings", alert, ct);
        if (alert.RequiresAck == true)
        {
            _openAlerts[alert.AlertId] = DateTimeOffset.UtcNow;
        }
        await Pub("notifications", AlertMessages.NotificationStatus(alert.AlertId, DeliveryMethod.Email, "oncall@example.org", _rng.Next(10) == 0 ? DeliveryStatus.Failed : DeliveryStatus.Sent, messageContext: _ctx), ct);
    }

    private async Task EscalateOverdueAsync(CancellationToken ct)
    {
        foreach (var (id, raised) in _openAlerts)
        {
            if (DateTimeOffset.UtcNow - raised > TimeSpan.FromSeconds(3) && _openAlerts.TryRemove(id, out _))
            {
                await Pub("escalations", AlertMessages.AlertEscalation(id, EscalationLevel.Level1, EscalationLevel.Level2, "not acknowledged within 3 s", notifyContacts: new ValueList<string>(["lead@example.org"]), messageContext: _ctx), ct);
            }
        }
    }

    /// <summary>
    /// The on-call node acknowledges most critical alerts it sees, a little later. The handler only schedules the ack
    /// (never waits, never publishes): publishing from here could wait for room in this very handler's queue.
    /// </summary>
    public void OnAlert(SystemAlert alert)
    {
        if (alert.RequiresAck == true && Random.Shared.Next(3) != 0)
        {
            // a full ack queue means the on-call is overwhelmed: that alert goes unacknowledged and escalates
            _acks.Writer.TryWrite((alert.AlertId, DateTimeOffset.UtcNow.AddMilliseconds(Random.Shared.Next(300, 2000))));
        }
    }

    /// <summary>Sends the scheduled acks, in order, from outside any handler.</summary>
    public async Task AckLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (id, due) in _acks.Reader.ReadAllAsync(ct))
            {
                if (due > DateTimeOffset.UtcNow)
                {
                    await Task.Delay(due - DateTimeOffset.UtcNow, ct);
                }
                try
                {
                    await Pub("critical", AlertMessages.AlertAck(id, "oncall:" + DemoState.Short(Name), ackNote: "looking", messageContext: _ctx), ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // counted like any failed publish; the loop keeps acknowledging
                catch (Exception)
#pragma warning restore CA1031
                {
                    Interlocked.Increment(ref _failures);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public void Acknowledged(string alertId) => _openAlerts.TryRemove(alertId, out _);

    // The message decides the instance; a bare sub-topic becomes a topic of this node's store.
    private async Task Pub(string topic, GaterMessage message, CancellationToken ct)
    {
        await bus.BroadcastAsync(topic.Contains(':', StringComparison.Ordinal) ? topic : Topics.StoreTopic(storeId, topic), message, ct);
    }
}

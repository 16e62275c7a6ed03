using ExEsdbGater.Hosting;
using HealthReport = Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport;
using IHealthCheckPublisher = Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheckPublisher;
using MsHealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace ExEsdbGater.Hosting.Bridges;

/// <summary>Turns the host's health reports into NodeHealth, ComponentHealth and HealthCheck messages.</summary>
internal sealed class HealthBridge(GaterBusRuntime runtime, GaterHealthBridgeOptions options, IServiceProvider services) : GaterBridge, IHealthCheckPublisher
{
    private readonly Lock _lock = new();
    private readonly string _store = HostFacts.StoreId(options.StoreId ?? HostFacts.ApplicationName(services));
    private MsHealthStatus? _lastStatus;
    private DateTimeOffset _lastPublished;
    private long _published, _skipped;

    public long Published => Interlocked.Read(ref _published);

    public long Skipped => Interlocked.Read(ref _skipped);

    public string StoreTopic => Topics.StoreHealth(_store);

    public async Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (runtime.Phase is not (GaterBusPhase.Starting or GaterBusPhase.Started or GaterBusPhase.Stopping))
        {
            return;
        }
        var now = runtime.Time.GetUtcNow();
        lock (_lock)
        {
            // rate limit: the same status again within MinInterval says nothing new
            if (_lastStatus == report.Status && now - _lastPublished < options.MinInterval)
            {
                Interlocked.Increment(ref _skipped);
                return;
            }
            _lastStatus = report.Status;
            _lastPublished = now;
        }
        var bus = runtime.Bus;
        var ctx = runtime.Context;
        var checks = JsonValues.Map(report.Entries.Select(e => new KeyValuePair<string, object?>(e.Key, Wire(e.Value.Status))));
        await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth(ctx.Node, NodeStatus(report.Status), checks, loadAvg: HostFacts.LoadAverage(), memoryUsage: HostFacts.MemoryPercent(), messageContext: ctx), cancellationToken).ConfigureAwait(false);
        foreach (var (name, entry) in report.Entries.Take(options.MaxChecksPerReport))
        {
            var details = JsonValues.Map(entry.Data.Select(d => new KeyValuePair<string, object?>(d.Key, d.Value))
                .Append(new("description", entry.Description)));
            var error = entry.Status == MsHealthStatus.Healthy ? null : entry.Exception?.Message ?? entry.Description ?? entry.Status.ToString();
            await bus.BroadcastStoreHealthAsync(StoreTopic, HealthMessages.ComponentHealth(name, ctx.Node, ComponentStatus(entry.Status), details, lastCheck: now, messageContext: ctx), cancellationToken).ConfigureAwait(false);
            await bus.BroadcastStoreHealthAsync(StoreTopic, HealthMessages.HealthCheck(name, ctx.Node, Result(entry.Status, entry.Exception), (long)entry.Duration.TotalMilliseconds, details, error is null ? null : JsonValues.Cut(error, JsonValues.MaxStringLength), ctx), cancellationToken).ConfigureAwait(false);
        }
        Interlocked.Increment(ref _published);
    }

    private static string Wire(MsHealthStatus s) => s switch
    {
        MsHealthStatus.Healthy => "healthy",
        MsHealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    private static NodeHealthStatus NodeStatus(MsHealthStatus s) => s switch
    {
        MsHealthStatus.Healthy => NodeHealthStatus.Healthy,
        MsHealthStatus.Degraded => NodeHealthStatus.Degraded,
        MsHealthStatus.Unhealthy => NodeHealthStatus.Unhealthy,
        _ => NodeHealthStatus.Unknown,
    };

    private static HealthStatus ComponentStatus(MsHealthStatus s) => s switch
    {
        MsHealthStatus.Healthy => HealthStatus.Healthy,
        MsHealthStatus.Degraded => HealthStatus.Degraded,
        _ => HealthStatus.Unhealthy,
    };

    private static HealthCheckResult Result(MsHealthStatus s, Exception? ex) => ex is TimeoutException or OperationCanceledException ? HealthCheckResult.Timeout
        : s == MsHealthStatus.Healthy ? HealthCheckResult.Pass : HealthCheckResult.Fail;
}

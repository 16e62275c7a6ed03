using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using HealthCheckResult = Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult;
using HealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace ExEsdbGater.Hosting;

/// <summary>Ready: started, backplane connected, and rejections, drops and inbound backlog within thresholds.</summary>
internal sealed class GaterReadinessCheck(GaterBusRuntime runtime, GaterHealthCheckOptions options, TrafficWindow window) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var phase = runtime.Phase;
        if (phase is GaterBusPhase.Created or GaterBusPhase.Stopped)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The bus is {phase.ToString().ToLowerInvariant()}."));
        }
        var bus = runtime.Bus;
        var stats = bus.Statistics;
        var backlog = bus.GetBacklog();
        var (rejected, dropped) = window.Add(runtime.Time.GetUtcNow(), stats.Rejected, stats.Dropped + stats.InboundDropped);
        var inboundShare = (double)backlog.Inbound / runtime.Options.InboundCapacity;
        var state = runtime.Backplane?.State;
        var data = new Dictionary<string, object>
        {
            ["node"] = bus.Node,
            ["backplane"] = runtime.Setup.BackplaneName ?? "in-process",
            ["backplane_state"] = runtime.Backplane is null ? "none" : state?.ToString() ?? "not connected",
            ["rejected_in_window"] = rejected,
            ["dropped_in_window"] = dropped,
            ["inbound_backlog"] = backlog.Inbound,
            ["subscriber_backlog"] = backlog.Subscribers,
            ["window_seconds"] = options.Window.TotalSeconds,
        };
        var problems = new List<string>();
        var status = HealthStatus.Healthy;
        void Flag(HealthStatus s, string why)
        {
            problems.Add(why);
            status = (HealthStatus)Math.Min((int)status, (int)s);
        }
        if (runtime.Backplane is not null && state != Backplanes.BackplaneState.Connected)
        {
            Flag(HealthStatus.Unhealthy, $"backplane {runtime.Setup.BackplaneName} {state?.ToString().ToLowerInvariant() ?? "not connected"}");
        }
        if (rejected >= options.RejectionsUnhealthy)
        {
            Flag(HealthStatus.Unhealthy, $"{rejected} frames rejected in {options.Window}");
        }
        else if (rejected >= options.RejectionsDegraded)
        {
            Flag(HealthStatus.Degraded, $"{rejected} frames rejected in {options.Window}");
        }
        if (dropped >= options.DropsDegraded)
        {
            Flag(HealthStatus.Degraded, $"{dropped} deliveries dropped in {options.Window} (slow consumers)");
        }
        if (inboundShare >= options.InboundBacklogUnhealthy)
        {
            Flag(HealthStatus.Unhealthy, string.Create(CultureInfo.InvariantCulture, $"inbound backlog {backlog.Inbound} ({inboundShare:P0} of capacity)"));
        }
        else if (inboundShare >= options.InboundBacklogDegraded)
        {
            Flag(HealthStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"inbound backlog {backlog.Inbound} ({inboundShare:P0} of capacity)"));
        }
        var description = problems.Count == 0 ? $"{bus.Node} connected over {runtime.Setup.BackplaneName ?? "in-process"}" : string.Join("; ", problems);
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }
}

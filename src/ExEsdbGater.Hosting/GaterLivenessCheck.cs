using Microsoft.Extensions.Diagnostics.HealthChecks;
using HealthCheckResult = Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult;
using HealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace ExEsdbGater.Hosting;

/// <summary>Live: the bus has not stopped (a disconnected backplane reconnects by itself; restarting would not help).</summary>
internal sealed class GaterLivenessCheck(GaterBusRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(runtime.Phase == GaterBusPhase.Stopped ? HealthCheckResult.Unhealthy("The bus has stopped.") : HealthCheckResult.Healthy($"The bus is {runtime.Phase.ToString().ToLowerInvariant()}."));
}

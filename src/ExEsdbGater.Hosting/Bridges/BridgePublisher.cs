using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExEsdbGater.Hosting.Bridges;

/// <summary>The health-report publisher registered for a bridge that is made later, with its bus.</summary>
internal sealed class BridgePublisher(Func<IHealthCheckPublisher?> bridge) : IHealthCheckPublisher
{
    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken) => bridge()?.PublishAsync(report, cancellationToken) ?? Task.CompletedTask;
}

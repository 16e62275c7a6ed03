using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using HealthCheckResult = Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult;
using HealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace ExEsdbGater.Hosting;

/// <summary>Health checks of a hosted bus.</summary>
public static class GaterHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds two checks of a bus registered by <c>AddExEsdbGater</c>: <c>exesdbgater</c> (tagged <c>ready</c>) is
    /// unhealthy while the backplane is disconnected, and degraded or unhealthy when rejected frames, dropped
    /// deliveries or the inbound backlog pass their thresholds over the window; <c>exesdbgater-live</c> (tagged
    /// <c>live</c>) is unhealthy once the bus has stopped. A named bus's checks end in <c>:&lt;name&gt;</c>.
    /// </summary>
    /// <param name="builder">The host's health checks.</param>
    /// <param name="busName">The bus: null or empty for the default one.</param>
    /// <param name="configure">Thresholds and tags.</param>
    public static IHealthChecksBuilder AddExEsdbGater(this IHealthChecksBuilder builder, string? busName = null, Action<GaterHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = busName ?? string.Empty;
        var options = new GaterHealthCheckOptions();
        configure?.Invoke(options);
        var suffix = name.Length == 0 ? string.Empty : ":" + name;
        var window = new TrafficWindow(options.Window);
        builder.Add(new HealthCheckRegistration("exesdbgater" + suffix, sp => new GaterReadinessCheck(sp.GetRequiredKeyedService<GaterBusRuntime>(name), options, window), HealthStatus.Unhealthy, options.ReadyTags));
        builder.Add(new HealthCheckRegistration("exesdbgater-live" + suffix, sp => new GaterLivenessCheck(sp.GetRequiredKeyedService<GaterBusRuntime>(name)), HealthStatus.Unhealthy, options.LiveTags));
        return builder;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ExEsdbGater.Dashboard;

/// <summary>Registers the dashboard's services.</summary>
public static class GaterDashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds the dashboard: an aggregator (a hosted singleton watching the app's <see cref="IGaterBus"/>) and ASP.NET
    /// Core antiforgery. Map its endpoints with <see cref="GaterDashboardEndpointRouteBuilderExtensions.MapExEsdbGaterDashboard"/>.
    /// </summary>
    /// <param name="services">The app's services; an <see cref="IGaterBus"/> must be registered by the time the host starts.</param>
    /// <param name="configure">Changes to the defaults of <see cref="GaterDashboardOptions"/>.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddExEsdbGaterDashboard(this IServiceCollection services, Action<GaterDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<GaterDashboardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.Validate(o =>
        {
            o.Validate();
            return true;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DashboardAggregator>();
        services.AddHostedService(sp => new AggregatorService(sp.GetRequiredService<DashboardAggregator>()));
        services.AddAntiforgery();
        return services;
    }

    // the aggregator is also injected into the endpoints: the hosted service only starts and stops that one instance
    private sealed class AggregatorService(DashboardAggregator aggregator) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => aggregator.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => aggregator.StopAsync(cancellationToken);
    }
}

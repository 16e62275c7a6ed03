using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ExEsdbGater.Hosting;

/// <summary>Registers ExEsdbGater buses with the generic host.</summary>
public static class GaterServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default bus: <see cref="IGaterBus"/> as a singleton, options bound from the <c>ExEsdbGater</c>
    /// configuration section and checked at start, and a hosted service that connects it when the host starts and
    /// drains and disconnects it when the host stops. Calling it again returns the same bus's builder.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Settings applied after the configuration section.</param>
    public static IGaterBuilder AddExEsdbGater(this IServiceCollection services, Action<GaterHostOptions>? configure = null)
        => Add(services, Options.DefaultName, configure);

    /// <summary>
    /// Registers a named bus (another cluster, say): <see cref="IGaterBus"/> as a keyed singleton under
    /// <paramref name="name"/> (<c>[FromKeyedServices("name")] IGaterBus</c>), options bound from
    /// <c>ExEsdbGater:Buses:&lt;name&gt;</c>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The bus's service key and options name; not empty.</param>
    /// <param name="configure">Settings applied after the configuration section.</param>
    public static IGaterBuilder AddExEsdbGater(this IServiceCollection services, string name, Action<GaterHostOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Add(services, name, configure);
    }

    private static GaterBuilder Add(IServiceCollection services, string name, Action<GaterHostOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(GaterBusSetup) && Equals(d.ServiceKey, name));
        if (existing?.KeyedImplementationInstance is GaterBusSetup known)
        {
            if (configure is not null)
            {
                services.Configure(name, configure);
            }
            return new GaterBuilder(services, known);
        }
        var setup = new GaterBusSetup(name);
        services.AddKeyedSingleton(name, setup);
        var options = services.AddOptions<GaterHostOptions>(name).BindConfiguration(setup.Section).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GaterHostOptions>, GaterHostOptionsValidation>());
        services.AddKeyedSingleton(name, (sp, _) => new GaterBusRuntime(sp, setup));
        if (name.Length == 0)
        {
            services.AddSingleton(sp => sp.GetRequiredKeyedService<GaterBusRuntime>(name).Bus);
        }
        else
        {
            services.AddKeyedSingleton(name, (sp, _) => sp.GetRequiredKeyedService<GaterBusRuntime>(name).Bus);
        }
        // a factory per bus: AddHostedService would keep only one of several buses
        services.AddSingleton<IHostedService>(sp => new GaterBusService(sp.GetRequiredKeyedService<GaterBusRuntime>(name), sp, (ILogger<GaterBusService>?)sp.GetService<ILogger<GaterBusService>>() ?? NullLogger<GaterBusService>.Instance));
        return new GaterBuilder(services, setup);
    }
}

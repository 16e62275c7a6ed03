using Microsoft.Extensions.DependencyInjection;

namespace ExEsdbGater.Hosting;

/// <summary>
/// Configures one bus registered by <c>AddExEsdbGater</c>: its backplane, DI handlers and bridges. Transports and
/// features from other packages plug in as extension methods on this interface, as <c>AddRedisBackplane</c> does.
/// </summary>
public interface IGaterBuilder
{
    /// <summary>The service collection the bus is registered in.</summary>
    IServiceCollection Services { get; }

    /// <summary>The bus's name: empty for the default bus, else its service key and options name.</summary>
    string Name { get; }
}

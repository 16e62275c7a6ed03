using Microsoft.Extensions.DependencyInjection;

namespace ExEsdbGater.Hosting;

/// <summary>The one <see cref="IGaterBuilder"/>: carries the setup its extension methods fill.</summary>
internal sealed class GaterBuilder(IServiceCollection services, GaterBusSetup setup) : IGaterBuilder
{
    public IServiceCollection Services { get; } = services;

    public string Name => Setup.Name;

    public GaterBusSetup Setup { get; } = setup;

    public static GaterBusSetup SetupOf(IGaterBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder is GaterBuilder b ? b.Setup
            : throw new ArgumentException("Use the builder returned by AddExEsdbGater.", nameof(builder));
    }
}

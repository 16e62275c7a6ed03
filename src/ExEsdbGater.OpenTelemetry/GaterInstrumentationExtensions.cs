using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ExEsdbGater.OpenTelemetry;

/// <summary>Registers the bus's <see cref="System.Diagnostics.ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/> (both named <see cref="GaterTelemetry.Name"/>) with OpenTelemetry.</summary>
public static class GaterInstrumentationExtensions
{
    /// <summary>Collects the bus's publish and receive spans.</summary>
    public static TracerProviderBuilder AddExEsdbGaterInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(GaterTelemetry.Name);
    }

    /// <summary>Collects the bus's metrics (<c>exesdbgater.published</c>, <c>.delivered</c>, <c>.rejected</c>, <c>.dropped</c>, <c>.gaps</c>, <c>.queue_depth</c>).</summary>
    public static MeterProviderBuilder AddExEsdbGaterInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(GaterTelemetry.Name);
    }
}

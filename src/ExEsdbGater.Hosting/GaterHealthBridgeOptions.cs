namespace ExEsdbGater.Hosting;

/// <summary>The health bridge's settings (see <see cref="GaterBuilderExtensions.AddHealthBridge"/>).</summary>
public sealed class GaterHealthBridgeOptions
{
    /// <summary>The store whose health topic (<c>&lt;store&gt;:health</c>) carries the per-check messages.</summary>
    /// <value>Default null: the host's application name, with <c>:</c> replaced by <c>_</c>.</value>
    public string? StoreId { get; set; }

    /// <summary>The least time between two published reports with the same overall status.</summary>
    /// <value>Default 10 seconds.</value>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most checks of one report published as ComponentHealth and HealthCheck messages.</summary>
    /// <value>Default 50.</value>
    public int MaxChecksPerReport { get; set; } = 50;
}

namespace ExEsdbGater.Hosting;

/// <summary>The metrics bridge's settings (see <see cref="GaterBuilderExtensions.AddMetricsBridge"/>).</summary>
public sealed class GaterMetricsBridgeOptions
{
    /// <summary>How often measurements are published.</summary>
    /// <value>Default 15 seconds. At least 100 ms.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether process CPU and memory (ResourceUsage) and GC figures (PerformanceMetric) are published.</summary>
    /// <value>Default true.</value>
    public bool ProcessMetrics { get; set; } = true;

    /// <summary>Meters whose instruments are published, by name (<c>System.Net.Http</c>, your own, …).</summary>
    /// <value>Default empty.</value>
    public IList<string> Meters { get; } = [];

    /// <summary>When not empty, only these instruments of <see cref="Meters"/> are published.</summary>
    /// <value>Default empty: all of them.</value>
    public IList<string> Instruments { get; } = [];

    /// <summary>The most messages published each interval; the rest of that interval's measurements are skipped.</summary>
    /// <value>Default 200. At least 1.</value>
    public int MaxMessagesPerInterval { get; set; } = 200;

    /// <summary>The component named in PerformanceMetric messages.</summary>
    /// <value>Default null: the host's application name.</value>
    public string? Component { get; set; }
}

using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Hosting;

/// <summary>The log bridge's settings (see <see cref="GaterBuilderExtensions.AddLogBridge"/>).</summary>
public sealed class GaterLogBridgeOptions
{
    /// <summary>The lowest level published.</summary>
    /// <value>Default <see cref="LogLevel.Warning"/>.</value>
    public LogLevel MinimumLevel { get; set; } = LogLevel.Warning;

    /// <summary>The most entries published per second; a burst of up to this many goes at once.</summary>
    /// <value>Default 100. At least 1.</value>
    public int MaxPerSecond { get; set; } = 100;

    /// <summary>Entries waiting to be published; beyond it new entries are dropped and counted.</summary>
    /// <value>Default 1,000. At least 1.</value>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Categories never published, with those under them (the library's own always are).</summary>
    /// <value>Default <c>StackExchange.Redis</c>.</value>
    public IList<string> ExcludedCategories { get; } = ["StackExchange.Redis"];

    /// <summary>The longest message published; longer ones are cut.</summary>
    /// <value>Default 8,192 characters.</value>
    public int MaxMessageLength { get; set; } = 8192;
}

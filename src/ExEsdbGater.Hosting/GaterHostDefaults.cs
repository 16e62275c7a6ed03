namespace ExEsdbGater.Hosting;

/// <summary>Every default of the hosting options, in one place; the options' <c>&lt;value&gt;</c> docs state the same figures.</summary>
internal static class GaterHostDefaults
{
    /// <summary>The configuration section of the default bus.</summary>
    public const string Section = "ExEsdbGater";

    /// <summary>Where named buses are configured: <c>ExEsdbGater:Buses:&lt;name&gt;</c>.</summary>
    public const string BusesSection = "Buses";

    /// <summary>The Redis channel prefix.</summary>
    public const string RedisPrefix = "exg:";

    /// <summary>How long the first Redis connection may take.</summary>
    public static readonly TimeSpan RedisConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The configuration section of a bus.</summary>
    public static string SectionOf(string name) => name.Length == 0 ? Section : $"{Section}:{BusesSection}:{name}";
}

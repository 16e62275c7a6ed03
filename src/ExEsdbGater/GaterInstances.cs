namespace ExEsdbGater;

/// <summary>Wire names of <see cref="GaterInstance"/> values.</summary>
public static class GaterInstances
{
    private static readonly string[] Names =
    [
        "ex_esdb_system", "ex_esdb_health", "ex_esdb_metrics", "ex_esdb_lifecycle", "ex_esdb_security",
        "ex_esdb_audit", "ex_esdb_alerts", "ex_esdb_diagnostics", "ex_esdb_logging", "ex_esdb_events",
    ];

    /// <summary>All ten instances.</summary>
    public static IReadOnlyList<GaterInstance> All { get; } = Enum.GetValues<GaterInstance>();

    /// <summary>The wire name, e.g. <c>ex_esdb_health</c>.</summary>
    public static string WireName(this GaterInstance instance)
        => (uint)instance < (uint)Names.Length ? Names[(int)instance] : throw new ArgumentOutOfRangeException(nameof(instance));

    /// <summary>Parses a wire name.</summary>
    public static bool TryParse(string? name, out GaterInstance instance)
    {
        var i = name is null ? -1 : Array.IndexOf(Names, name);
        instance = i >= 0 ? (GaterInstance)i : default;
        return i >= 0;
    }

    internal static bool TryParse(ReadOnlySpan<byte> utf8, out GaterInstance instance)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (System.Text.Ascii.Equals(utf8, Names[i]))
            {
                instance = (GaterInstance)i;
                return true;
            }
        }
        instance = default;
        return false;
    }
}

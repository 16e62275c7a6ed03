using System.Globalization;

namespace ExEsdbGater.Hosting.Bridges;

/// <summary>Turns arbitrary .NET values (log state, health data) into what a <see cref="JsonMap"/> holds.</summary>
internal static class JsonValues
{
    public const int MaxStringLength = 1024;

    /// <summary>Numbers, strings, booleans and null as they are; anything else as its (shortened) string.</summary>
    public static object? Scalar(object? value) => value switch
    {
        null => null,
        string s => Cut(s, MaxStringLength),
        bool or int or long or short or byte or uint or ulong or decimal => value,
        double d => double.IsFinite(d) ? d : d.ToString(CultureInfo.InvariantCulture),
        float f => float.IsFinite(f) ? f : f.ToString(CultureInfo.InvariantCulture),
        DateTimeOffset or DateTime or Enum => value,
        TimeSpan t => t.TotalMilliseconds,
        IFormattable f => Cut(f.ToString(null, CultureInfo.InvariantCulture), MaxStringLength),
        _ => Cut(value.ToString() ?? string.Empty, MaxStringLength),
    };

    /// <summary>A map of the pairs (first key wins), each value made a scalar.</summary>
    public static JsonMap Map(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var seen = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in pairs)
        {
            if (k is not null)
            {
                seen.TryAdd(k, Scalar(v));
            }
        }
        return JsonMap.From(seen);
    }

    public static string Cut(string s, int max) => s.Length <= max ? s : string.Concat(s.AsSpan(0, max - 1), "…");
}

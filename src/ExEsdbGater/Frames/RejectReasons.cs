using System.Text.Json;

namespace ExEsdbGater.Frames;

/// <summary>Wire names of <see cref="RejectReason"/>.</summary>
public static class RejectReasons
{
    private static readonly string[] Names = Enum.GetValues<RejectReason>().Select(r => JsonNamingPolicy.SnakeCaseLower.ConvertName(r.ToString())).ToArray();

    /// <summary>Every reason, in check order.</summary>
    public static IReadOnlyList<RejectReason> All { get; } = Enum.GetValues<RejectReason>();

    /// <summary>The wire name, e.g. <c>invalid_signature</c>.</summary>
    public static string WireName(this RejectReason reason) => Names[(int)reason];

    /// <summary>Parses a wire name.</summary>
    public static bool TryParse(string? name, out RejectReason reason)
    {
        var i = name is null ? -1 : Array.IndexOf(Names, name);
        reason = i >= 0 ? (RejectReason)i : default;
        return i >= 0;
    }
}

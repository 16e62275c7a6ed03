using System.Text.Json;

namespace ExEsdbGater.Beam.Tests.Terms;

/// <summary>spec/beam-vectors.json: the original's messages as term_to_binary bytes on OTP 25, and their HMACs.</summary>
internal static class BeamVectors
{
    private static readonly Lazy<(string Secret, IReadOnlyList<Vector> Vectors)> Loaded = new(Load);

    public static string Secret => Loaded.Value.Secret;

    public static IReadOnlyList<Vector> All => Loaded.Value.Vectors;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var v in All)
        {
            data.Add(v.Name);
        }
        return data;
    }

    public static Vector Get(string name) => All.Single(v => v.Name == name);

    private static (string, IReadOnlyList<Vector>) Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "spec", "beam-vectors.json")));
        var root = doc.RootElement;
        var vectors = root.GetProperty("vectors").EnumerateArray().Select(v => new Vector(
            v.GetProperty("instance").GetString()! + "/" + v.GetProperty("tag").GetString()!,
            Convert.FromHexString(v.GetProperty("ttb_latin1_atoms").GetString()!),
            Convert.FromHexString(v.GetProperty("ttb_utf8_atoms").GetString()!),
            Convert.FromHexString(v.GetProperty("hmac_latin1_atoms").GetString()!),
            Convert.FromHexString(v.GetProperty("hmac_utf8_atoms").GetString()!))).ToList();
        return (root.GetProperty("secret").GetString()!, vectors);
    }

    internal sealed record Vector(string Name, byte[] Latin1, byte[] Utf8, byte[] HmacLatin1, byte[] HmacUtf8);
}

using System.Text.Json;

namespace ExEsdbGater.Beam.Tests;

/// <summary>
/// spec/beam-vectors.json: the original's 36 messages built by its factories on OTP 25, as Elixir text and as
/// term_to_binary bytes (latin-1 and UTF-8 atoms), with their HMACs under the file's secret.
/// </summary>
internal static class BeamVectors
{
    private static readonly Lazy<(string Secret, IReadOnlyList<Vector> Vectors)> Loaded = new(Load);

    public static string Secret => Loaded.Value.Secret;

    public static IReadOnlyList<Vector> All => Loaded.Value.Vectors;

    /// <summary>Every vector's name, <c>instance/tag</c>.</summary>
    public static TheoryData<string> Names() => Data(v => v.Name);

    /// <summary>Every vector's tag (tags are unique across instances).</summary>
    public static TheoryData<string> Tags() => Data(v => v.Tag);

    /// <summary>A vector by name (<c>instance/tag</c>) or by tag.</summary>
    public static Vector Get(string nameOrTag) => All.Single(v => v.Name == nameOrTag || v.Tag == nameOrTag);

    private static TheoryData<string> Data(Func<Vector, string> key)
    {
        var data = new TheoryData<string>();
        foreach (var v in All)
        {
            data.Add(key(v));
        }
        return data;
    }

    private static (string, IReadOnlyList<Vector>) Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "spec", "beam-vectors.json")));
        var root = doc.RootElement;
        var vectors = root.GetProperty("vectors").EnumerateArray().Select(v => new Vector(
            v.GetProperty("instance").GetString()!,
            v.GetProperty("tag").GetString()!,
            v.GetProperty("struct").GetString()!,
            v.GetProperty("inspect").GetString()!,
            Convert.FromHexString(v.GetProperty("ttb_latin1_atoms").GetString()!),
            Convert.FromHexString(v.GetProperty("ttb_utf8_atoms").GetString()!),
            Convert.FromHexString(v.GetProperty("hmac_latin1_atoms").GetString()!),
            Convert.FromHexString(v.GetProperty("hmac_utf8_atoms").GetString()!))).ToArray();
        return (root.GetProperty("secret").GetString()!, vectors);
    }

    internal sealed record Vector(string Instance, string Tag, string Struct, string Inspect, byte[] Latin1, byte[] Utf8, byte[] HmacLatin1, byte[] HmacUtf8)
    {
        public string Name => Instance + "/" + Tag;

        public GaterInstance GaterInstance => GaterInstances.TryParse(Instance, out var i) ? i : throw new InvalidOperationException(Instance);
    }
}

using System.Text.Json;

namespace ExEsdbGater.Beam.Tests.Mapping;

/// <summary>spec/beam-vectors.json with what the mapping tests need: instance, tag, struct, inspect text and bytes.</summary>
internal static class MappingVectors
{
    private static readonly Lazy<(string Secret, IReadOnlyList<Vector> Vectors)> Loaded = new(Load);

    public static IReadOnlyList<Vector> All => Loaded.Value.Vectors;

    public static string Secret => Loaded.Value.Secret;

    public static TheoryData<string> Tags()
    {
        var data = new TheoryData<string>();
        foreach (var v in All)
        {
            data.Add(v.Tag);
        }
        return data;
    }

    public static Vector Get(string tag) => All.Single(v => v.Tag == tag);

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
            Convert.FromHexString(v.GetProperty("hmac_latin1_atoms").GetString()!))).ToArray();
        return (root.GetProperty("secret").GetString()!, vectors);
    }

    internal sealed record Vector(string Instance, string Tag, string Struct, string Inspect, byte[] Latin1, byte[] HmacLatin1)
    {
        public GaterInstance GaterInstance => GaterInstances.TryParse(Instance, out var i) ? i : throw new InvalidOperationException(Instance);
    }
}

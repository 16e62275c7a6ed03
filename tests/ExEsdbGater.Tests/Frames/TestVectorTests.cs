using System.Text;
using System.Text.Json;
using ExEsdbGater;
using Microsoft.Extensions.Time.Testing;

namespace ExEsdbGater.Tests.Frames;

public sealed class TestVectorTests
{
    public static TheoryData<string> VectorNames()
    {
        var data = new TheoryData<string>();
        foreach (var v in Vectors.All)
        {
            data.Add(v.GetProperty("name").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Vector_gives_the_expected_result_for_every_frame(string name)
    {
        var v = Vectors.All.Single(x => x.GetProperty("name").GetString() == name);
        var verifier = Vectors.VerifierFor(v);
        Assert.True(GaterInstances.TryParse(v.GetProperty("instance").GetString(), out var instance));
        var topic = v.GetProperty("topic").GetString()!;
        var expect = v.GetProperty("expect").EnumerateArray().Select(e => e.GetString()).ToArray();
        var frames = v.GetProperty("frames").EnumerateArray().Select(Vectors.FrameBytes).ToArray();
        Assert.Equal(expect.Length, frames.Length);
        for (var i = 0; i < frames.Length; i++)
        {
            var result = verifier.Verify(frames[i], instance, topic);
            var got = result.IsOk ? "ok" : result.Reason!.Value.WireName();
            Assert.True(expect[i] == got, $"frame {i}: expected {expect[i]}, got {got} ({result.Detail})");
        }
    }

    [Fact]
    public void Every_catalog_type_has_an_accepted_vector_that_decodes_to_that_type()
    {
        var tags = new HashSet<string>();
        foreach (var v in Vectors.All.Where(v => v.GetProperty("name").GetString()!.StartsWith("valid ", StringComparison.Ordinal)))
        {
            var verifier = Vectors.VerifierFor(v);
            GaterInstances.TryParse(v.GetProperty("instance").GetString(), out var instance);
            var result = verifier.Verify(Vectors.FrameBytes(v.GetProperty("frames")[0]), instance, v.GetProperty("topic").GetString()!);
            Assert.True(result.IsOk, result.Detail);
            Assert.Equal(result.Envelope!.Type, result.Message!.Tag);
            Assert.Equal(MessageCatalog.Find(instance, result.Message.Tag)!.ClrType, result.Message.GetType());
            tags.Add(result.Message.Tag);
        }
        Assert.Equal(36, tags.Count);
    }
}

internal static class Vectors
{
    private static readonly Lazy<JsonElement[]> Data = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "spec", "test-vectors.json")));
        return doc.RootElement.GetProperty("vectors").EnumerateArray().Select(e => e.Clone()).ToArray();
    });

    public static IReadOnlyList<JsonElement> All => Data.Value;

    public static FrameVerifier VerifierFor(JsonElement v)
    {
        var keys = v.GetProperty("keys").EnumerateArray()
            .Select(k => GaterKey.FromSecret(k.GetProperty("secret").GetString()!, k.TryGetProperty("kid", out var kid) ? kid.GetString() : null))
            .ToArray();
        var ring = v.GetProperty("allow_unsigned").GetBoolean() && keys.Length == 0 ? KeyRing.UnsignedDevelopment : KeyRing.Of(keys);
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(v.GetProperty("now_ms").GetInt64()));
        var options = new VerifierOptions { TimeProvider = clock };
        if (v.TryGetProperty("max_age_ms", out var age) && age.ValueKind == JsonValueKind.Number)
        {
            options = options with { MaxAge = TimeSpan.FromMilliseconds(age.GetInt64()) };
        }
        return new FrameVerifier(ring, options);
    }

    public static byte[] FrameBytes(JsonElement f)
    {
        if (f.TryGetProperty("frame", out var text))
        {
            return Encoding.UTF8.GetBytes(text.GetString()!);
        }
        if (f.TryGetProperty("frame_b64", out var b64))
        {
            return Convert.FromBase64String(b64.GetString()!);
        }
        var fill = f.GetProperty("frame_fill");
        var head = Encoding.UTF8.GetBytes(fill.GetProperty("head").GetString()!);
        var pad = Encoding.UTF8.GetBytes(fill.GetProperty("fill").GetString()!);
        var total = fill.GetProperty("total_bytes").GetInt32();
        var bytes = new byte[total];
        head.CopyTo(bytes, 0);
        for (var i = head.Length; i < total; i++)
        {
            bytes[i] = pad[(i - head.Length) % pad.Length];
        }
        return bytes;
    }
}

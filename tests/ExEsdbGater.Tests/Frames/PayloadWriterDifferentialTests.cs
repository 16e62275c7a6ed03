using System.Buffers;
using System.Text;
using System.Text.Json;
using ExEsdbGater.Tests.Catalog;

namespace ExEsdbGater.Tests.Frames;

/// <summary>
/// The generated payload writers (the signer's path) against System.Text.Json with the payload options, the path
/// they replaced: byte-equal output for every type, with and without its options, with strings that need escaping,
/// and for every message the verifier accepts in PayloadReaderDifferentialTests' mutations (see <see cref="AssertSameBytes"/>).
/// </summary>
public sealed class PayloadWriterDifferentialTests
{
    public static TheoryData<string> TypeNames() => Samples.TypeNames();

    public static TheoryData<string> TypesWithNumbers() => [.. MessageCatalog.Types.Where(t => t.Fields.Any(f => f.Kind == FieldKind.Number)).Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void The_generated_writer_writes_the_serializers_bytes(string typeName)
    {
        var t = Samples.Type(typeName);
        AssertSameBytes(Samples.Build(t));
        var options = Samples.FactoryOf(t).GetParameters().Where(p => p.HasDefaultValue && p.ParameterType != typeof(MessageContext))
            .ToDictionary(p => p.Name!, p => Samples.ArgumentFor(p, alternative: true));
        AssertSameBytes(Samples.Build(t, options));
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Strings_that_need_escaping_come_out_as_the_serializer_escapes_them(string typeName)
    {
        const string Awkward = "quote \" backslash \\ <tag> & 'apos' \u2028 line\nbreak \u0001 é 😀 +";
        var t = Samples.Type(typeName);
        var json = JsonSerializer.SerializeToNode(Samples.Build(t), t.JsonTypeInfo)!.AsObject();
        foreach (var f in t.Fields.Where(f => f.Kind == FieldKind.String))
        {
            json[f.Name] = Awkward;
        }
        foreach (var f in t.Fields.Where(f => f.Kind == FieldKind.Map))
        {
            json[f.Name] = new System.Text.Json.Nodes.JsonObject { [Awkward] = Awkward };
        }
        var m = (GaterMessage)json.Deserialize(t.JsonTypeInfo)!;
        AssertSameBytes(m);
    }

    [Theory]
    [MemberData(nameof(TypesWithNumbers))]
    public void Numbers_come_out_as_the_serializer_writes_them_at_the_edges_of_the_short_form_and_beyond(string typeName)
    {
        var t = Samples.Type(typeName);
        var numbers = t.Fields.Where(f => f.Kind == FieldKind.Number).ToList();
        double[] edges = [1e-4, 9.99e-5, 1e-5, 1e14, 99999999999999.99, 99999999999999.9, 123456789012345, 0.30000000000000004,
            1.0 / 3, double.Epsilon, -0.0, 0.0, -71.2, 0.42, 1e300, -1e-300, 12345678.875];
        foreach (var value in edges)
        {
            var json = JsonSerializer.SerializeToNode(Samples.Build(t), t.JsonTypeInfo)!.AsObject();
            foreach (var f in numbers)
            {
                json[f.Name] = value;
            }
            AssertSameBytes((GaterMessage)json.Deserialize(t.JsonTypeInfo)!);
        }
    }

    [Fact]
    public void Maps_and_values_built_from_dotnet_values_are_copied_as_built_which_is_what_writing_them_back_gives()
    {
        const string Awkward = "quote \" backslash \\ <tag> & \u2028 line\nbreak \u0001 é 😀 +";
        var map = JsonMap.Of(("a", Awkward), (Awkward, 1.5), ("none", null), ("big", long.MaxValue), ("small", 1e-7),
            ("nested", JsonMap.Of(("x", new[] { 1, 2 }), ("y", JsonAny.From(true)))), ("list", new object?[] { "é", false, 0.1, null }));
        var any = JsonAny.From(new object?[] { Awkward, 2.5, JsonMap.Empty });
        foreach (var (written, converter, payload) in new (byte[]?, Action<Utf8JsonWriter>, Action<Utf8JsonWriter>)[]
        {
            (map.WrittenUtf8, w => map.Element.WriteTo(w), w => PayloadWrite.Map(w, map)),
            (JsonMap.Empty.WrittenUtf8, w => JsonMap.Empty.Element.WriteTo(w), w => PayloadWrite.Map(w, JsonMap.Empty)),
            (any.WrittenUtf8, w => any.Element.WriteTo(w), w => PayloadWrite.Any(w, any)),
        })
        {
            Assert.NotNull(written);
            var expected = Write(converter);
            Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(Write(payload)));
            Assert.Equal(expected, written);
        }
        // parsed by then (Element was read): still copied
        Assert.NotNull(map.WrittenUtf8);
        Assert.NotNull(any.WrittenUtf8);
    }

    [Fact]
    public void Maps_and_values_over_other_bytes_are_written_back_as_the_serializer_writes_them()
    {
        var map = JsonMap.Parse("{ \"k\" : \"\\u00e9\", \"n\": 1.50 }");
        var any = JsonAny.Parse(" [ 1 , \"\\/\" ] ");
        Assert.Null(map.WrittenUtf8);
        Assert.Null(any.WrittenUtf8);
        Assert.Equal("{\"k\":\"\\u00E9\",\"n\":1.50}", Encoding.UTF8.GetString(Write(w => PayloadWrite.Map(w, map))));
        Assert.Equal("[1,\"/\"]", Encoding.UTF8.GetString(Write(w => PayloadWrite.Any(w, any))));
    }

    /// <summary>Writes a message both ways and asserts the bytes are equal.</summary>
    internal static void AssertSameBytes(GaterMessage m)
    {
        var info = MessageCatalog.Find(m.GetType())!;
        var expected = Write(w => JsonSerializer.Serialize(w, m, info.JsonTypeInfo));
        var actual = Write(w => info.Writer(w, m));
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"{info.Name}:\n serializer {Encoding.UTF8.GetString(expected)}\n generated  {Encoding.UTF8.GetString(actual)}");
    }

    // as FrameEncoder configures its writer
    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            write(w);
        }
        return buffer.WrittenSpan.ToArray();
    }
}

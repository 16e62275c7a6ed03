using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExEsdbGater.Json;

/// <summary>
/// Any JSON value, immutable, compared structurally: the catalog's <c>any</c> kind.
/// </summary>
[JsonConverter(typeof(JsonAnyConverter))]
public sealed class JsonAny : IEquatable<JsonAny>
{
    private readonly JsonElement _element;
    // As JsonMap: a value read from a verified payload keeps its checked bytes and is parsed on first use.
    private readonly byte[]? _utf8;
    private JsonDocument? _parsed;

    private JsonAny(JsonElement element) => _element = element;

    private JsonAny(byte[] utf8) => _utf8 = utf8;

    /// <summary>The value as a JSON element.</summary>
    public JsonElement Element => _utf8 is null ? _element : JsonMap.Parsed(ref _parsed, _utf8).RootElement;

    /// <summary>A value over the bytes of one valid JSON value free of duplicates (copied; parsed on first use).</summary>
    internal static JsonAny OverUtf8(ReadOnlySpan<byte> utf8Value) => new(utf8Value.ToArray());

    /// <summary>Wraps a JSON element (cloned).</summary>
    public static JsonAny FromElement(JsonElement element) => new(element.Clone());

    /// <summary>Parses JSON text.</summary>
    /// <exception cref="ArgumentException">The text is not valid JSON.</exception>
    public static JsonAny Parse([StringSyntax(StringSyntaxAttribute.Json)] string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            return FromElement(doc.RootElement);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"Not valid JSON: {ex.Message}", nameof(json), ex);
        }
    }

    /// <summary>Builds a value from a .NET value (see <see cref="JsonMap.From"/> for the types allowed).</summary>
    public static JsonAny From(object? value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonValueWriter.WriteValue(writer, value);
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return new JsonAny(doc.RootElement.Clone());
    }

    /// <summary>Converts a string to a JSON string value.</summary>
    public static implicit operator JsonAny(string value) => From(value);

    /// <inheritdoc />
    public bool Equals(JsonAny? other) => other is not null && JsonElement.DeepEquals(Element, other.Element);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as JsonAny);

    /// <inheritdoc />
    public override int GetHashCode() => (int)Element.ValueKind;

    /// <summary>The compact JSON text of the value.</summary>
    public override string ToString() => Element.GetRawText();
}

internal sealed class JsonAnyConverter : JsonConverter<JsonAny>
{
    public override bool HandleNull => false;

    public override JsonAny? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => JsonAny.FromElement(JsonElement.ParseValue(ref reader));

    public override void Write(Utf8JsonWriter writer, JsonAny value, JsonSerializerOptions options) => value.Element.WriteTo(writer);
}

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
    // As JsonMap: the value's bytes, or once parsed the ParsedJson holding them; a value read from a verified payload
    // is parsed on first use.
    private object _state;

    private JsonAny(object utf8) => _state = utf8;

    /// <summary>The bytes when a default Utf8JsonWriter would write them back unchanged (the value was built from a .NET value), else null.</summary>
    internal byte[]? WrittenUtf8 => ParsedJson.WrittenBytesOf(Volatile.Read(ref _state));

    /// <summary>The value as a JSON element.</summary>
    public JsonElement Element => ParsedJson.Of(ref _state).Document.RootElement;

    /// <summary>A value over the bytes of one valid JSON value free of duplicates (copied; parsed on first use).</summary>
    internal static JsonAny OverUtf8(ReadOnlySpan<byte> utf8Value) => new(utf8Value.ToArray());

    /// <summary>Wraps a JSON element (its text is copied, and parsed on first use).</summary>
    public static JsonAny FromElement(JsonElement element) => new(ParsedJson.RawBytes(element));

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
        return new JsonAny(ParsedJson.Built(buffer.WrittenSpan));
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
    public override string ToString() => System.Text.Encoding.UTF8.GetString(ParsedJson.BytesOf(_state));
}

internal sealed class JsonAnyConverter : JsonConverter<JsonAny>
{
    public override bool HandleNull => false;

    public override JsonAny? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => JsonAny.FromElement(JsonElement.ParseValue(ref reader));

    public override void Write(Utf8JsonWriter writer, JsonAny value, JsonSerializerOptions options) => value.Element.WriteTo(writer);
}

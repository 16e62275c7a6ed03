using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExEsdbGater.Json;

/// <summary>
/// An immutable JSON object with string keys and any JSON values: the catalog's <c>map</c> kind.
/// Two maps are equal when their JSON is structurally equal.
/// </summary>
[JsonConverter(typeof(JsonMapConverter))]
public sealed class JsonMap : IReadOnlyDictionary<string, JsonElement>, IEquatable<JsonMap>
{
    // The object's bytes, or once parsed the ParsedJson holding them (see there): one field, so that a map read from a
    // verified payload costs its bytes and one small object until someone looks inside.
    private object _state;

    /// <summary>The empty map <c>{}</c>.</summary>
    public static JsonMap Empty { get; } = new(new WrittenJson("{}"u8.ToArray()));

    // the bytes (byte[] read from a payload or copied from an element, or WrittenJson built here), or a ParsedJson
    private JsonMap(object utf8) => _state = utf8;

    /// <summary>The bytes when a default Utf8JsonWriter would write them back unchanged (the map was built from .NET values), else null.</summary>
    internal byte[]? WrittenUtf8 => ParsedJson.WrittenBytesOf(Volatile.Read(ref _state));

    /// <summary>The map as a JSON element (always an object).</summary>
    public JsonElement Element => ParsedJson.Of(ref _state).Document.RootElement;

    /// <summary>A map over the bytes of a JSON object known to be valid and free of duplicates (copied; parsed on first use).</summary>
    internal static JsonMap OverUtf8(ReadOnlySpan<byte> utf8Object) => utf8Object.SequenceEqual("{}"u8) ? Empty : new(utf8Object.ToArray());

    /// <summary>Wraps a JSON object element (its text is copied, and parsed on first use).</summary>
    /// <exception cref="ArgumentException">The element is not a JSON object.</exception>
    public static JsonMap FromElement(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"A map must be a JSON object, not {element.ValueKind}.", nameof(element));
        }
        return new JsonMap(ParsedJson.RawBytes(element));
    }

    /// <summary>Parses a JSON object text.</summary>
    /// <exception cref="ArgumentException">The text is not a JSON object.</exception>
    public static JsonMap Parse([StringSyntax(StringSyntaxAttribute.Json)] string json) => FromElement(JsonAny.Parse(json).Element);

    /// <summary>
    /// Builds a map from .NET values: strings, numbers, booleans, null, <see cref="DateTimeOffset"/>,
    /// enums, <see cref="JsonElement"/>, <see cref="JsonMap"/>, dictionaries and sequences of those.
    /// </summary>
    /// <exception cref="ArgumentException">A value has a type that has no JSON form.</exception>
    public static JsonMap From(IEnumerable<KeyValuePair<string, object?>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonValueWriter.WriteObject(writer, entries);
        }
        return new JsonMap(ParsedJson.Built(buffer.WrittenSpan));
    }

    /// <summary>Builds a map from key/value pairs (see <see cref="From(IEnumerable{KeyValuePair{string, object}})"/>).</summary>
    public static JsonMap Of(params (string Key, object? Value)[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return From(entries.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value)));
    }

    private Dictionary<string, JsonElement> Index
    {
        get
        {
            var parsed = ParsedJson.Of(ref _state);
            if (parsed.Index is { } index)
            {
                return index;
            }
            var d = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in parsed.Document.RootElement.EnumerateObject())
            {
                d[p.Name] = p.Value;
            }
            return parsed.Index = d;
        }
    }

    /// <inheritdoc />
    public JsonElement this[string key] => Index[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => Index.Keys;

    /// <inheritdoc />
    public IEnumerable<JsonElement> Values => Index.Values;

    /// <inheritdoc />
    public int Count => Index.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => Index.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, out JsonElement value) => Index.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, JsonElement>> GetEnumerator() => Index.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public bool Equals(JsonMap? other)
        => other is not null && (ReferenceEquals(this, other)
            || ParsedJson.BytesOf(_state).AsSpan().SequenceEqual(ParsedJson.BytesOf(other._state))
            || JsonElement.DeepEquals(Element, other.Element));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as JsonMap);

    /// <inheritdoc />
    public override int GetHashCode() => Count;

    /// <summary>The compact JSON text of the map.</summary>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(ParsedJson.BytesOf(_state));
}

internal sealed class JsonMapConverter : JsonConverter<JsonMap>
{
    public override JsonMap? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A map must be a JSON object.");
        }
        return JsonMap.FromElement(JsonElement.ParseValue(ref reader));
    }

    public override void Write(Utf8JsonWriter writer, JsonMap value, JsonSerializerOptions options) => value.Element.WriteTo(writer);
}

/// <summary>Writes plain .NET values as JSON without reflection.</summary>
internal static class JsonValueWriter
{
    public static void WriteObject(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> entries)
    {
        writer.WriteStartObject();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            ArgumentNullException.ThrowIfNull(key, "key");
            if (!seen.Add(key))
            {
                throw new ArgumentException($"Duplicate key '{key}' in a map.");
            }
            writer.WritePropertyName(key);
            WriteValue(writer, value);
        }
        writer.WriteEndObject();
    }

    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case short sh: writer.WriteNumberValue(sh); break;
            case byte by: writer.WriteNumberValue(by); break;
            case uint ui: writer.WriteNumberValue(ui); break;
            case ulong ul: writer.WriteNumberValue(ul); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case DateTimeOffset dto: writer.WriteStringValue(Instant.Format(dto)); break;
            case DateTime dt: writer.WriteStringValue(Instant.Format(new DateTimeOffset(dt.ToUniversalTime()))); break;
            case Enum e: writer.WriteStringValue(JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString())); break;
            case JsonElement el: el.WriteTo(writer); break;
            case JsonMap map: map.Element.WriteTo(writer); break;
            case JsonAny any: any.Element.WriteTo(writer); break;
            case IEnumerable<KeyValuePair<string, object?>> dict: WriteObject(writer, dict); break;
            case IEnumerable<KeyValuePair<string, string>> sdict:
                WriteObject(writer, sdict.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value))); break;
            case System.Collections.IEnumerable seq:
                writer.WriteStartArray();
                foreach (var item in seq)
                {
                    WriteValue(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"A value of type {value.GetType().Name} has no JSON form; use strings, numbers, booleans, maps or lists.");
        }
    }
}

using System.Collections;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExEsdbGater.Json;

/// <summary>An immutable list compared by its elements: the catalog's <c>list</c> kind.</summary>
/// <typeparam name="T">The element type.</typeparam>
[JsonConverter(typeof(ValueListConverterFactory))]
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items;

    /// <summary>Copies the given items into a new list.</summary>
    public ValueList(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = items.ToArray();
    }

    private ValueList(T[] items, bool _) => _items = items;

    /// <summary>A list over an array the caller gives up (not copied).</summary>
    internal static ValueList<T> Wrap(T[] items) => new(items, true);

    /// <summary>The empty list.</summary>
    public static ValueList<T> Empty { get; } = new([]);

    /// <inheritdoc />
    public T this[int index] => _items[index];

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <summary>Copies an array into a list.</summary>
    public static implicit operator ValueList<T>(T[] items) => new(items);

    /// <summary>Copies a list into a list.</summary>
    public static implicit operator ValueList<T>(List<T> items) => new(items);

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc />
    public bool Equals(ValueList<T>? other) => other is not null && _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ValueList<T>);

    /// <inheritdoc />
    public override int GetHashCode() => _items.Length;

    /// <summary>The list as text, e.g. <c>[a, b]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", _items) + "]";
}

internal sealed class ValueListConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert)
        => typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(ValueList<>);

    public override JsonConverter? CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var t = typeToConvert.GetGenericArguments()[0];
        if (t == typeof(string))
        {
            return new ValueListConverter<string>();
        }
        if (t == typeof(JsonMap))
        {
            return new ValueListConverter<JsonMap>();
        }
        throw new NotSupportedException($"ValueList<{t.Name}> has no JSON mapping.");
    }
}

internal sealed class ValueListConverter<T> : JsonConverter<ValueList<T>>
{
    public override ValueList<T>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("A list must be a JSON array.");
        }
        var items = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(ReadItem(ref reader, options));
        }
        return new ValueList<T>(items);
    }

    private static T ReadItem(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        if (typeof(T) == typeof(string))
        {
            return reader.TokenType == JsonTokenType.String ? (T)(object)reader.GetString()! : throw new JsonException("List items must be strings.");
        }
        if (typeof(T) == typeof(JsonMap))
        {
            return reader.TokenType == JsonTokenType.StartObject
                ? (T)(object)JsonMap.FromElement(JsonElement.ParseValue(ref reader))
                : throw new JsonException("List items must be objects.");
        }
        throw new JsonException($"No JSON mapping for {typeof(T).Name}.");
    }

    public override void Write(Utf8JsonWriter writer, ValueList<T> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value)
        {
            switch (item)
            {
                case string s: writer.WriteStringValue(s); break;
                case JsonMap m: m.Element.WriteTo(writer); break;
                default: writer.WriteNullValue(); break;
            }
        }
        writer.WriteEndArray();
    }
}

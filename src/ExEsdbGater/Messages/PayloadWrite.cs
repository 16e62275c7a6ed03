using System.Text.Json;

namespace ExEsdbGater.Messages;

/// <summary>
/// The value writers the generated <c>Write</c> of each payload record calls for the kinds that have a converter:
/// the converters themselves, so the bytes are the serializer's.
/// </summary>
internal static class PayloadWrite
{
    private static readonly JsonMapConverter MapConverter = new();
    private static readonly JsonAnyConverter AnyConverter = new();
    private static readonly InstantConverter InstantConverter = new();

    public static void Map(Utf8JsonWriter w, JsonMap value) => MapConverter.Write(w, value, PayloadJson.Options);

    public static void Any(Utf8JsonWriter w, JsonAny value) => AnyConverter.Write(w, value, PayloadJson.Options);

    public static void Instant(Utf8JsonWriter w, DateTimeOffset value) => InstantConverter.Write(w, value, PayloadJson.Options);

    public static void List<T>(Utf8JsonWriter w, ValueList<T> value) => ListConverter<T>.Instance.Write(w, value, PayloadJson.Options);

    public static void Enum<TEnum>(Utf8JsonWriter w, TEnum value)
        where TEnum : struct, System.Enum
        => w.WriteStringValue(WireEnum<TEnum>.Encoded(value));

    /// <summary>What the serializer threw for a required member left null.</summary>
    public static JsonException NullField(Type type, string field) => new($"The {type.Name} member '{field}' is required and must not be null.");

    private static class ListConverter<T>
    {
        public static readonly ValueListConverter<T> Instance = new();
    }
}

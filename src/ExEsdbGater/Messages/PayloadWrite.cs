using System.Diagnostics;
using System.Text.Json;

namespace ExEsdbGater.Messages;

/// <summary>
/// The value writers the generated <c>Write</c> of each payload record calls for numbers and for the kinds that have
/// a converter: the serializer's bytes, through the converters or, where the bytes are known already (a value built
/// from .NET values, a number of up to 15 digits), without them.
/// </summary>
internal static class PayloadWrite
{
    private static readonly JsonMapConverter MapConverter = new();
    private static readonly JsonAnyConverter AnyConverter = new();
    private static readonly InstantConverter InstantConverter = new();

    public static void Map(Utf8JsonWriter w, JsonMap value)
    {
        if (!CopiedAsWritten(w, value.WrittenUtf8))
        {
            MapConverter.Write(w, value, PayloadJson.Options);
        }
    }

    public static void Any(Utf8JsonWriter w, JsonAny value)
    {
        if (!CopiedAsWritten(w, value.WrittenUtf8))
        {
            AnyConverter.Write(w, value, PayloadJson.Options);
        }
    }

    // The signer's writer escapes with the default encoder, so a value built from .NET values (whose bytes a default
    // writer wrote) is copied as it is; any other is parsed and written back, as the converter does.
    private static bool CopiedAsWritten(Utf8JsonWriter w, byte[]? written)
    {
        Debug.Assert(w.Options.Encoder is null && !w.Options.Indented, "a copied value would differ from one written back");
        if (written is null)
        {
            return false;
        }
        w.WriteRawValue(written, skipInputValidation: true);
        return true;
    }

    /// <summary>A <c>number</c> member: the writer's bytes, through <see cref="ShortDouble"/> where it applies.</summary>
    public static void Number(Utf8JsonWriter w, JsonEncodedText name, double value)
    {
        Span<byte> text = stackalloc byte[ShortDouble.MaxLength];
        if (ShortDouble.TryFormat(value, text, out var length))
        {
            w.WritePropertyName(name);
            w.WriteRawValue(text[..length], skipInputValidation: true);
            return;
        }
        w.WriteNumber(name, value);
    }

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

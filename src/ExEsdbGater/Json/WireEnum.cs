using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExEsdbGater.Json;

/// <summary>Writes enums as their lowercase snake_case names and reads only those exact names.</summary>
internal sealed class SnakeEnumConverter<TEnum> : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var s = reader.GetString();
            if (s is not null && WireEnum<TEnum>.TryParse(s, out var v))
            {
                return v;
            }
        }
        throw new JsonException($"Not one of the values of {typeof(TEnum).Name}.");
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options)
        => writer.WriteStringValue(WireEnum<TEnum>.Name(value));
}

/// <summary>The wire names of an enum's values (lowercase snake_case).</summary>
public static class WireEnum<TEnum>
    where TEnum : struct, Enum
{
    private static readonly TEnum[] AllValues = Enum.GetValues<TEnum>();
    private static readonly string[] Names = AllValues.Select(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString())).ToArray();

    // encoded once for the payload writers (PayloadWrite.Enum): the same bytes without the writer's escaping scan
    private static readonly JsonEncodedText[] EncodedNames = [.. Names.Select(n => JsonEncodedText.Encode(n))];

    /// <summary>Every wire name, in declaration order.</summary>
    public static IReadOnlyList<string> AllNames => Names;

    /// <summary>The wire name of a value.</summary>
    public static string Name(TEnum value) => Names[IndexOf(value)];

    /// <summary>The wire name of a value, encoded for a JSON writer.</summary>
    internal static JsonEncodedText Encoded(TEnum value) => EncodedNames[IndexOf(value)];

    private static int IndexOf(TEnum value)
    {
        var i = Array.IndexOf(AllValues, value);
        return i >= 0 ? i : throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a defined {typeof(TEnum).Name}.");
    }

    /// <summary>Parses an exact wire name.</summary>
    public static bool TryParse(string name, out TEnum value)
    {
        var i = Array.IndexOf(Names, name);
        value = i >= 0 ? AllValues[i] : default;
        return i >= 0;
    }
}

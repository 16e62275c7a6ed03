using System.Text;
using System.Text.Json;

namespace ExEsdbGater.Messages;

/// <summary>Checks a payload's JSON against its type (wire-format section 4) without building it.</summary>
internal static class PayloadSchema
{
    /// <summary>Returns null when the payload fits, else the name of the first offending field.</summary>
    public static string? Check(ReadOnlySpan<byte> payload, MessageTypeInfo info)
    {
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return "payload";
        }
        ulong present = 0;
        Span<char> nameBuf = stackalloc char[64];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var idx = -1;
            if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= nameBuf.Length)
            {
                var n = Encoding.UTF8.GetChars(reader.ValueSpan, nameBuf);
                if (!info.FieldIndex.TryGetValue(nameBuf[..n], out idx))
                {
                    idx = -1;
                }
            }
            else if (reader.ValueIsEscaped)
            {
                var s = reader.GetString()!;
                if (!info.FieldIndex.TryGetValue(s.AsSpan(), out idx))
                {
                    idx = -1;
                }
            }
            reader.Read();
            if (idx < 0)
            {
                reader.Skip();
                continue;
            }
            var field = info.Fields[idx];
            if (reader.TokenType == JsonTokenType.Null)
            {
                if (field.Required)
                {
                    return field.Name;
                }
                continue;
            }
            if (!FitsKind(ref reader, field))
            {
                return field.Name;
            }
            present |= 1UL << idx;
        }
        for (var i = 0; i < info.Fields.Count; i++)
        {
            if (info.Fields[i].Required && (present & (1UL << i)) == 0)
            {
                return info.Fields[i].Name;
            }
        }
        return null;
    }

    private static bool FitsKind(ref Utf8JsonReader reader, MessageFieldInfo field) => field.Kind switch
    {
        FieldKind.String => reader.TokenType == JsonTokenType.String
            && (!field.IsNodeField || (reader.ValueIsEscaped ? NodeName.IsValid(reader.GetString()) : FrameRules.IsValidNode(reader.ValueSpan))),
        FieldKind.Integer => reader.TokenType == JsonTokenType.Number && IsPlainInteger(ref reader),
        FieldKind.Number => reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d) && double.IsFinite(d),
        FieldKind.Boolean => reader.TokenType is JsonTokenType.True or JsonTokenType.False,
        FieldKind.Map => reader.TokenType == JsonTokenType.StartObject && SkipValue(ref reader),
        FieldKind.List => reader.TokenType == JsonTokenType.StartArray && ItemsFit(ref reader, field.ElementKind == FieldKind.Map ? JsonTokenType.StartObject : JsonTokenType.String),
        FieldKind.Instant => reader.TokenType == JsonTokenType.String
            && (reader.ValueIsEscaped ? Instant.TryParse(reader.GetString().AsSpan(), out _) : Instant.TryParse(reader.ValueSpan, out _)),
        FieldKind.Enum => reader.TokenType == JsonTokenType.String && IsOneOf(ref reader, field.Values),
        _ => SkipValue(ref reader),
    };

    private static bool SkipValue(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }

    private static bool ItemsFit(ref Utf8JsonReader reader, JsonTokenType item)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != item)
            {
                return false;
            }
            reader.Skip();
        }
        return true;
    }

    private static bool IsOneOf(ref Utf8JsonReader reader, IReadOnlyList<string> values)
    {
        foreach (var v in values)
        {
            if (reader.ValueTextEquals(v))
            {
                return true;
            }
        }
        return false;
    }

    internal static bool IsPlainInteger(ref Utf8JsonReader reader)
    {
        var raw = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan;
        return raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && reader.TryGetInt64(out _);
    }
}

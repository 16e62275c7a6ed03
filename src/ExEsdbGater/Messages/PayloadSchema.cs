using System.Text;
using System.Text.Json;
using ExEsdbGater.Json;

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

    private static bool FitsKind(ref Utf8JsonReader reader, MessageFieldInfo field)
    {
        switch (field.Kind)
        {
            case FieldKind.String:
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }
                return !field.IsNodeField || (reader.ValueIsEscaped ? NodeName.IsValid(reader.GetString()) : FrameRules.IsValidNode(reader.ValueSpan));
            case FieldKind.Integer:
                return reader.TokenType == JsonTokenType.Number && IsPlainInteger(ref reader);
            case FieldKind.Number:
                return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d) && double.IsFinite(d);
            case FieldKind.Boolean:
                return reader.TokenType is JsonTokenType.True or JsonTokenType.False;
            case FieldKind.Map:
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }
                reader.Skip();
                return true;
            case FieldKind.List:
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return false;
                }
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var ok = field.ElementKind == FieldKind.Map ? reader.TokenType == JsonTokenType.StartObject : reader.TokenType == JsonTokenType.String;
                    if (!ok)
                    {
                        return false;
                    }
                    reader.Skip();
                }
                return true;
            case FieldKind.Instant:
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }
                return reader.ValueIsEscaped ? Instant.TryParse(reader.GetString().AsSpan(), out _) : Instant.TryParse(reader.ValueSpan, out _);
            case FieldKind.Enum:
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }
                foreach (var v in field.Values)
                {
                    if (reader.ValueTextEquals(v))
                    {
                        return true;
                    }
                }
                return false;
            default:
                reader.Skip();
                return true;
        }
    }

    internal static bool IsPlainInteger(ref Utf8JsonReader reader)
    {
        var raw = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan;
        return raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && reader.TryGetInt64(out _);
    }
}

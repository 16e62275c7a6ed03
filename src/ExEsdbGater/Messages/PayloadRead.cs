using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace ExEsdbGater.Messages;

/// <summary>Why a payload does not fit its type: the field, and whether it is a node field holding no node name.</summary>
internal readonly record struct PayloadFault(string Field, bool NotANodeName)
{
    /// <summary>The verifier's detail: <c>field x</c> or <c>field x is not a node name</c>.</summary>
    public string Detail => NotANodeName ? $"field {Field} is not a node name" : $"field {Field}";
}

/// <summary>A generated payload reader (<c>T.TryRead</c>) behind a non-generic signature, for the descriptors.</summary>
internal delegate bool PayloadReader(ReadOnlySpan<byte> payloadJson, [NotNullWhen(true)] out GaterMessage? message, out PayloadFault fault);

/// <summary>
/// The value readers the generated <c>TryRead</c> of each payload record calls, one per catalog kind (the enum
/// readers are generated into the other half of this class). Each is called on a value that is not null and
/// returns false when the value does not fit the kind.
/// </summary>
/// <remarks>
/// The payload has passed <see cref="BodyReader"/> first (UTF-8, no duplicate at any depth, depth, lone surrogates,
/// finite numbers), so maps, lists and <c>any</c> values are kept as copies of their bytes and parsed only if used.
/// </remarks>
internal static partial class PayloadRead
{
    /// <summary>Longer than every catalog field name; a longer member name is unknown.</summary>
    public const int MaxNameBytes = 64;

    public static readonly JsonReaderOptions Options = new() { MaxDepth = FrameRules.MaxDepth };

    /// <summary>An escaped member name, unescaped into <paramref name="buffer"/>; false if it cannot be a field name.</summary>
    public static bool TryUnescapeName(ref Utf8JsonReader r, scoped Span<byte> buffer, out int length)
    {
        if (r.ValueSpan.Length <= buffer.Length)
        {
            length = r.CopyString(buffer);
            return true;
        }
        // rare: a long escaped spelling; compare its text only if it is short enough to be a field name
        var name = r.GetString()!;
        return Encoding.UTF8.TryGetBytes(name, buffer, out length);
    }

    public static bool String(ref Utf8JsonReader r, [NotNullWhen(true)] out string? value)
    {
        value = r.TokenType == JsonTokenType.String ? r.GetString() : null;
        return value is not null;
    }

    /// <summary>A string that should be a node name: an unescaped one comes from <see cref="Frames.NodeNameCache"/>.</summary>
    public static bool NodeString(ref Utf8JsonReader r, [NotNullWhen(true)] out string? value)
    {
        value = r.TokenType != JsonTokenType.String ? null : r.ValueIsEscaped ? r.GetString() : Frames.NodeNameCache.Get(r.ValueSpan);
        return value is not null;
    }

    /// <summary>A JSON integer (no fraction, no exponent) within the range of a long.</summary>
    public static bool Integer(ref Utf8JsonReader r, out long value)
    {
        value = 0;
        return r.TokenType == JsonTokenType.Number && r.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && r.TryGetInt64(out value);
    }

    public static bool Number(ref Utf8JsonReader r, out double value)
    {
        value = 0;
        return r.TokenType == JsonTokenType.Number && r.TryGetDouble(out value) && double.IsFinite(value);
    }

    public static bool Boolean(ref Utf8JsonReader r, out bool value)
    {
        value = r.TokenType == JsonTokenType.True;
        return r.TokenType is JsonTokenType.True or JsonTokenType.False;
    }

    /// <summary>An instant as <see cref="Instant.TryParse(ReadOnlySpan{byte}, out DateTimeOffset)"/> accepts it.</summary>
    public static bool Instant(ref Utf8JsonReader r, out DateTimeOffset value)
    {
        value = default;
        if (r.TokenType != JsonTokenType.String)
        {
            return false;
        }
        return r.ValueIsEscaped ? Json.Instant.TryParse(r.GetString().AsSpan(), out value) : Json.Instant.TryParse(r.ValueSpan, out value);
    }

    public static bool Map(ref Utf8JsonReader r, ReadOnlySpan<byte> payload, [NotNullWhen(true)] out JsonMap? value)
    {
        value = r.TokenType == JsonTokenType.StartObject ? JsonMap.OverUtf8(ValueBytes(ref r, payload)) : null;
        return value is not null;
    }

    public static bool Any(ref Utf8JsonReader r, ReadOnlySpan<byte> payload, [NotNullWhen(true)] out JsonAny? value)
    {
        value = JsonAny.OverUtf8(ValueBytes(ref r, payload));
        return true;
    }

    /// <summary>A list of strings only.</summary>
    public static bool Strings(ref Utf8JsonReader r, [NotNullWhen(true)] out ValueList<string>? value)
    {
        value = null;
        if (r.TokenType != JsonTokenType.StartArray || !CountItems(r, JsonTokenType.String, out var count))
        {
            return false;
        }
        if (count == 0)
        {
            r.Skip();
            value = ValueList<string>.Empty;
            return true;
        }
        var items = new string[count];
        for (var i = 0; i < count; i++)
        {
            r.Read();
            items[i] = r.GetString()!;
        }
        r.Read();
        value = ValueList<string>.Wrap(items);
        return true;
    }

    /// <summary>A list of objects only.</summary>
    public static bool Maps(ref Utf8JsonReader r, ReadOnlySpan<byte> payload, [NotNullWhen(true)] out ValueList<JsonMap>? value)
    {
        value = null;
        if (r.TokenType != JsonTokenType.StartArray || !CountItems(r, JsonTokenType.StartObject, out var count))
        {
            return false;
        }
        if (count == 0)
        {
            r.Skip();
            value = ValueList<JsonMap>.Empty;
            return true;
        }
        var items = new JsonMap[count];
        for (var i = 0; i < count; i++)
        {
            r.Read();
            items[i] = JsonMap.OverUtf8(ValueBytes(ref r, payload));
        }
        r.Read();
        value = ValueList<JsonMap>.Wrap(items);
        return true;
    }

    /// <summary>Fails a read: the first node field already found bad in the document wins, as the schema walk saw it first.</summary>
    public static bool Fail<T>(string field, string? badNodeSoFar, out T? message, out PayloadFault fault)
        where T : class
    {
        message = null;
        fault = new PayloadFault(badNodeSoFar ?? field, false);
        return false;
    }

    public static bool FailNode<T>(string field, out T? message, out PayloadFault fault)
        where T : class
    {
        message = null;
        fault = new PayloadFault(field, true);
        return false;
    }

    // Counts the items of the array the reader (a copy) stands on, each of the one token kind allowed.
    private static bool CountItems(Utf8JsonReader r, JsonTokenType item, out int count)
    {
        count = 0;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != item)
            {
                return false;
            }
            r.Skip();
            count++;
        }
        return true;
    }

    // The bytes of the value the reader stands on, leaving the reader on the value's last token.
    private static ReadOnlySpan<byte> ValueBytes(ref Utf8JsonReader r, ReadOnlySpan<byte> payload)
    {
        var start = (int)r.TokenStartIndex;
        r.Skip();
        return payload[start..(int)r.BytesConsumed];
    }
}

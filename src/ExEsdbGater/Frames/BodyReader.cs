using System.Text.Json;

namespace ExEsdbGater.Frames;

/// <summary>Where a JSON string's raw (still escaped) bytes lie in the body.</summary>
internal readonly record struct RawString(int Start, int Length, bool Escaped)
{
    public static RawString Of(ref Utf8JsonReader r) => new((int)r.TokenStartIndex + 1, r.ValueSpan.Length, r.ValueIsEscaped);

    public ReadOnlySpan<byte> In(ReadOnlySpan<byte> body) => body.Slice(Start, Length);
}

/// <summary>
/// Reads a frame body strictly: valid UTF-8 JSON object, no duplicate member at any depth, at most 64 levels,
/// no escaped lone surrogate, and every envelope member present and within its rule.
/// </summary>
internal static class BodyReader
{
    private const int Has_v = 1, Has_instance = 2, Has_topic = 4, Has_type = 8, Has_id = 16, Has_node = 32, Has_epoch = 64, Has_seq = 128, Has_ts = 256, Has_payload = 512;
    private const int HasAll = 1023;

    public static string? Read(ReadOnlySpan<byte> body, out BodyFields f)
    {
        f = default;
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return "body is not valid UTF-8";
        }
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = FrameRules.MaxDepth });
        var names = new NameStack();
        var seen = 0;
        var payloadDepth = -1;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "body is not a JSON object";
            }
            names.Push();
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        names.Push();
                        break;
                    case JsonTokenType.EndObject:
                        names.Pop();
                        if (reader.CurrentDepth == payloadDepth)
                        {
                            f.PayloadEnd = (int)reader.BytesConsumed;
                            payloadDepth = -1;
                        }
                        break;
                    case JsonTokenType.Number:
                        // a payload number must be a finite double (wire format section 4); judged later, in order, as invalid_payload
                        if (payloadDepth >= 0 && !f.NonFiniteNumber && !IsFiniteDouble(ref reader))
                        {
                            f.NonFiniteNumber = true;
                        }
                        break;
                    case JsonTokenType.String:
                        if (reader.ValueIsEscaped && HasLoneSurrogate(reader.ValueSpan))
                        {
                            return "escaped lone surrogate in a string";
                        }
                        break;
                    case JsonTokenType.PropertyName:
                        if (reader.ValueIsEscaped && HasLoneSurrogate(reader.ValueSpan))
                        {
                            return "escaped lone surrogate in a member name";
                        }
                        if (!names.Add(ref reader, body))
                        {
                            return "duplicate member name";
                        }
                        if (reader.CurrentDepth == 1)
                        {
                            var err = ReadEnvelopeMember(ref reader, ref f, ref seen, ref payloadDepth, ref names);
                            if (err is not null)
                            {
                                return err;
                            }
                        }
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            return ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase) ? "nested deeper than 64 levels" : "body is not valid JSON";
        }
        finally
        {
            names.Dispose();
        }
        if ((seen & HasAll) != HasAll)
        {
            return "an envelope member is missing";
        }
        return null;
    }

    // Up to 15 digits without an exponent always fit a finite double; only longer or exponent forms need parsing.
    private static bool IsFiniteDouble(ref Utf8JsonReader r)
    {
        var span = r.ValueSpan;
        if (span.Length <= 15 && span.IndexOfAny((byte)'e', (byte)'E') < 0)
        {
            return true;
        }
        return r.TryGetDouble(out var d) && double.IsFinite(d);
    }

    private static string? ReadEnvelopeMember(ref Utf8JsonReader r, ref BodyFields f, ref int seen, ref int payloadDepth, ref NameStack names)
    {
        Span<byte> buf = stackalloc byte[96];
        scoped ReadOnlySpan<byte> name;
        if (!r.ValueIsEscaped)
        {
            name = r.ValueSpan;
        }
        else if (r.ValueSpan.Length <= buf.Length)
        {
            // Envelope names are short ASCII; compare an escaped spelling after unescaping.
            name = buf[..r.CopyString(buf)];
        }
        else
        {
            name = default;
        }
        return EnvelopeByName(ref r, ref f, ref seen, ref payloadDepth, ref names, name);
    }

    private static string? EnvelopeByName(ref Utf8JsonReader r, ref BodyFields f, ref int seen, ref int payloadDepth, ref NameStack names, scoped ReadOnlySpan<byte> name)
    {
        if (!r.Read())
        {
            return "truncated body";
        }
        if (r.TokenType == JsonTokenType.String && r.ValueIsEscaped && HasLoneSurrogate(r.ValueSpan))
        {
            return "escaped lone surrogate in a string";
        }
        if (name.SequenceEqual("v"u8))
        {
            seen |= Has_v;
            return r.TokenType == JsonTokenType.Number && IsPlainInteger(ref r) && r.GetInt64() == 1 ? null : "v must be 1";
        }
        if (name.SequenceEqual("instance"u8))
        {
            seen |= Has_instance;
            return r.TokenType == JsonTokenType.String && !r.ValueIsEscaped && GaterInstances.TryParse(r.ValueSpan, out f.Instance)
                ? null : "instance is not one of the ten instances";
        }
        if (name.SequenceEqual("topic"u8))
        {
            seen |= Has_topic;
            if (r.TokenType != JsonTokenType.String)
            {
                return "topic is not a string";
            }
            f.Topic = RawString.Of(ref r);
            return (r.ValueIsEscaped ? FrameRules.IsValidTopic(r.GetString().AsSpan()) : FrameRules.IsValidTopic(r.ValueSpan)) ? null : "topic breaks its rule";
        }
        if (name.SequenceEqual("type"u8))
        {
            seen |= Has_type;
            if (r.TokenType != JsonTokenType.String)
            {
                return "type is not a string";
            }
            f.Type = RawString.Of(ref r);
            return (r.ValueIsEscaped ? FrameRules.IsValidType(r.GetString().AsSpan()) : FrameRules.IsValidType(r.ValueSpan)) ? null : "type breaks its rule";
        }
        if (name.SequenceEqual("id"u8))
        {
            seen |= Has_id;
            if (r.TokenType != JsonTokenType.String)
            {
                return "id is not a string";
            }
            f.Id = RawString.Of(ref r);
            return (r.ValueIsEscaped ? FrameRules.IsValidId(r.GetString().AsSpan()) : FrameRules.IsValidId(r.ValueSpan)) ? null : "id breaks its rule";
        }
        if (name.SequenceEqual("node"u8))
        {
            seen |= Has_node;
            if (r.TokenType != JsonTokenType.String)
            {
                return "node is not a string";
            }
            f.Node = RawString.Of(ref r);
            return (r.ValueIsEscaped ? NodeName.IsValid(r.GetString()) : FrameRules.IsValidNode(r.ValueSpan)) ? null : "node is not a node name";
        }
        if (name.SequenceEqual("epoch"u8))
        {
            seen |= Has_epoch;
            return ReadInt(ref r, 0, out f.Epoch) ? null : "epoch breaks its rule";
        }
        if (name.SequenceEqual("seq"u8))
        {
            seen |= Has_seq;
            return ReadInt(ref r, 1, out f.Seq) ? null : "seq breaks its rule";
        }
        if (name.SequenceEqual("ts"u8))
        {
            seen |= Has_ts;
            return ReadInt(ref r, 0, out f.Ts) ? null : "ts breaks its rule";
        }
        if (name.SequenceEqual("payload"u8))
        {
            seen |= Has_payload;
            if (r.TokenType != JsonTokenType.StartObject)
            {
                return "payload is not an object";
            }
            f.PayloadStart = (int)r.TokenStartIndex;
            payloadDepth = r.CurrentDepth;
            names.Push();
            return null;
        }
        return SkipValue(ref r, ref names);
    }

    // An unknown member's value: containers are walked by the main loop, so only push for objects.
    private static string? SkipValue(ref Utf8JsonReader r, ref NameStack names)
    {
        if (r.TokenType == JsonTokenType.StartObject)
        {
            names.Push();
        }
        return null;
    }

    private static bool ReadInt(ref Utf8JsonReader r, long min, out long value)
    {
        value = 0;
        return r.TokenType == JsonTokenType.Number && IsPlainInteger(ref r) && r.TryGetInt64(out value)
            && value >= min && value < FrameRules.MaxInteger;
    }

    private static bool IsPlainInteger(ref Utf8JsonReader r) => r.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && r.TryGetInt64(out _);

    /// <summary>The text of a raw (still escaped) JSON string, without its quotes.</summary>
    internal static string Unescape(ReadOnlySpan<byte> raw)
    {
        Span<byte> quoted = raw.Length + 2 <= 1024 ? stackalloc byte[raw.Length + 2] : new byte[raw.Length + 2];
        quoted[0] = (byte)'"';
        raw.CopyTo(quoted[1..]);
        quoted[^1] = (byte)'"';
        var r = new Utf8JsonReader(quoted);
        r.Read();
        return r.GetString()!;
    }

    /// <summary>True when a raw (still escaped) JSON string holds a \u escape of an unpaired surrogate.</summary>
    internal static bool HasLoneSurrogate(ReadOnlySpan<byte> raw)
    {
        var i = 0;
        while (i < raw.Length)
        {
            if (raw[i] != '\\')
            {
                i++;
                continue;
            }
            if (i + 1 < raw.Length && raw[i + 1] == 'u' && i + 5 < raw.Length + 0 && TryHex4(raw.Slice(i + 2, 4), out var cu))
            {
                if (cu is >= 0xDC00 and <= 0xDFFF)
                {
                    return true;
                }
                if (cu is >= 0xD800 and <= 0xDBFF)
                {
                    if (i + 11 < raw.Length + 0 && raw[i + 6] == '\\' && raw[i + 7] == 'u' && TryHex4(raw.Slice(i + 8, 4), out var lo) && lo is >= 0xDC00 and <= 0xDFFF)
                    {
                        i += 12;
                        continue;
                    }
                    return true;
                }
                i += 6;
                continue;
            }
            i += 2;
        }
        return false;
    }

    private static bool TryHex4(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            int d = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (d < 0)
            {
                return false;
            }
            value = (value << 4) | d;
        }
        return true;
    }
}

using System.Text.Json;
using ExEsdbGater.Frames;

namespace ExEsdbGater.Tests.Frames;

/// <summary>
/// The body reader as it was before <see cref="BodyScanner"/>: a walk of <see cref="Utf8JsonReader"/>'s tokens. Kept
/// here only as the reference the scanner is compared with (BodyReaderDifferentialTests). One deliberate difference
/// from the old code: it named every reader error that mentions "depth" as too deep, including the reader's "expected
/// depth to be zero" for a truncated body (<c>{"v":1,</c>), which is not JSON rather than too deep; the scanner and
/// this reference say so.
/// </summary>
internal static class ReferenceBodyReader
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
                        if (reader.ValueIsEscaped && BodyReader.HasLoneSurrogate(reader.ValueSpan))
                        {
                            return "escaped lone surrogate in a string";
                        }
                        break;
                    case JsonTokenType.PropertyName:
                        if (reader.ValueIsEscaped && BodyReader.HasLoneSurrogate(reader.ValueSpan))
                        {
                            return "escaped lone surrogate in a member name";
                        }
                        if (!names.Add(body, (int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, reader.ValueIsEscaped))
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
            // the reader says "depth" both for too deep and for an object left open at the end
            return ex.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase) ? "nested deeper than 64 levels" : "body is not valid JSON";
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
        if (r.TokenType == JsonTokenType.String && r.ValueIsEscaped && BodyReader.HasLoneSurrogate(r.ValueSpan))
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
            f.Topic = new RawString((int)r.TokenStartIndex + 1, r.ValueSpan.Length, r.ValueIsEscaped);
            return (r.ValueIsEscaped ? FrameRules.IsValidTopic(r.GetString().AsSpan()) : FrameRules.IsValidTopic(r.ValueSpan)) ? null : "topic breaks its rule";
        }
        if (name.SequenceEqual("type"u8))
        {
            seen |= Has_type;
            if (r.TokenType != JsonTokenType.String)
            {
                return "type is not a string";
            }
            f.Type = new RawString((int)r.TokenStartIndex + 1, r.ValueSpan.Length, r.ValueIsEscaped);
            return (r.ValueIsEscaped ? FrameRules.IsValidType(r.GetString().AsSpan()) : FrameRules.IsValidType(r.ValueSpan)) ? null : "type breaks its rule";
        }
        if (name.SequenceEqual("id"u8))
        {
            seen |= Has_id;
            if (r.TokenType != JsonTokenType.String)
            {
                return "id is not a string";
            }
            f.Id = new RawString((int)r.TokenStartIndex + 1, r.ValueSpan.Length, r.ValueIsEscaped);
            return (r.ValueIsEscaped ? FrameRules.IsValidId(r.GetString().AsSpan()) : FrameRules.IsValidId(r.ValueSpan)) ? null : "id breaks its rule";
        }
        if (name.SequenceEqual("node"u8))
        {
            seen |= Has_node;
            if (r.TokenType != JsonTokenType.String)
            {
                return "node is not a string";
            }
            f.Node = new RawString((int)r.TokenStartIndex + 1, r.ValueSpan.Length, r.ValueIsEscaped);
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
}

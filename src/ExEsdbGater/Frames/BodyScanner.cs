using System.Buffers;
using System.Buffers.Text;

namespace ExEsdbGater.Frames;

/// <summary>
/// One pass over a body's bytes (already valid UTF-8): RFC 8259 JSON as <c>Utf8JsonReader</c> accepts it with
/// default options, at most 64 levels, no duplicate member at any depth, no escaped lone surrogate, and the envelope
/// members read on the way. It reports the first fault in document order, with the same words as the
/// <c>Utf8JsonReader</c> walk it replaced (kept in the tests as the reference it is compared with).
/// </summary>
/// <remarks>Hand-written because the general reader's per-token bookkeeping was half of verify's cost.</remarks>
internal ref struct BodyScanner
{
    public const string NotJson = "body is not valid JSON";
    public const string TooDeep = "nested deeper than 64 levels";

    private const int Has_v = 1, Has_instance = 2, Has_topic = 4, Has_type = 8, Has_id = 16, Has_node = 32, Has_epoch = 64, Has_seq = 128, Has_ts = 256, Has_payload = 512;
    private const int HasAll = 1023;

    // where a string's plain run ends: its closing quote, an escape, or a control character (never allowed raw)
    private static readonly SearchValues<byte> StringStops = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"u8);

    private readonly ReadOnlySpan<byte> _b;
    private int _i;
    private int _depth;

    private BodyScanner(ReadOnlySpan<byte> body)
    {
        _b = body;
    }

    public static string? Scan(ReadOnlySpan<byte> body, ref BodyFields f, ref NameStack names)
    {
        var s = new BodyScanner(body);
        s.SkipWs();
        if (s._i >= body.Length)
        {
            return NotJson;
        }
        if (body[s._i] != '{')
        {
            // a first value that is JSON but not an object is named as such; anything else is not JSON
            return s.Next(out var token, out _, out _) is null ? "body is not a JSON object" : NotJson;
        }
        var seen = 0;
        var start = s._i;
        if (!s.CanonicalEnvelope(ref f, ref names, ref seen, out var err))
        {
            // not as this library writes it: walked again from the start, as any envelope
            names.Dispose();
            f = default;
            seen = 0;
            s._i = start;
            s._depth = 0;
            err = s.Envelope(ref f, ref names, ref seen);
        }
        if (err is not null)
        {
            return err;
        }
        s.SkipWs();
        if (s._i != body.Length)
        {
            return NotJson;
        }
        return (seen & HasAll) == HasAll ? null : "an envelope member is missing";
    }

    // The envelope as FrameEncoder writes it: the ten names in their order, spelled plainly, each right after the
    // brace or comma before it. Each value is read by EnvelopeMember as in the general walk, in the same order, so the
    // fields and the first fault are the same; only the names' own reading, lookup and duplicate check are skipped
    // (ten different names in a fixed order cannot repeat), about half of an envelope's cost. False at the first name
    // or closing brace that differs; the body is then walked again from its start, at worst read twice (after its
    // signature was checked).
    private bool CanonicalEnvelope(ref BodyFields f, ref NameStack names, ref int seen, out string? err)
    {
        err = null;
        _depth = 1;
        names.Push();
        for (var member = 0; member < 10; member++)
        {
            var name = CanonicalName(member);
            if (!_b[_i..].StartsWith(name))
            {
                return false;
            }
            _i += name.Length;
            err = EnvelopeMember(ref f, ref names, ref seen, member);
            if (err is not null)
            {
                return true;
            }
        }
        if (!At('}'))
        {
            return false;
        }
        _i++;
        names.Pop();
        _depth = 0;
        return true;
    }

    // Member n's name as FrameEncoder writes it, with the byte before it (the envelope's brace or a comma).
    internal static ReadOnlySpan<byte> CanonicalName(int member) => member switch
    {
        0 => "{\"v\":"u8,
        1 => ",\"instance\":"u8,
        2 => ",\"topic\":"u8,
        3 => ",\"type\":"u8,
        4 => ",\"id\":"u8,
        5 => ",\"node\":"u8,
        6 => ",\"epoch\":"u8,
        7 => ",\"seq\":"u8,
        8 => ",\"ts\":"u8,
        _ => ",\"payload\":"u8,
    };

    private string? Envelope(ref BodyFields f, ref NameStack names, ref int seen)
    {
        _depth = 1;
        names.Push();
        _i++;
        SkipWs();
        if (At('}'))
        {
            _i++;
            return null;
        }
        while (true)
        {
            var err = MemberName(ref names, out var nameStart, out var nameLength, out var nameEscaped);
            if (err is not null)
            {
                return err;
            }
            err = EnvelopeMember(ref f, ref names, ref seen, Member(nameStart, nameLength, nameEscaped));
            if (err is not null)
            {
                return err;
            }
            var next = AfterItem('}');
            if (next < 0)
            {
                return NotJson;
            }
            if (next == 0)
            {
                break;
            }
        }
        names.Pop();
        _depth = 0;
        return null;
    }

    // The envelope member a top-level name spells (after unescaping), or -1.
    private readonly int Member(int start, int length, bool escaped)
    {
        scoped ReadOnlySpan<byte> name = _b.Slice(start, length);
        Span<byte> buf = stackalloc byte[96];
        if (escaped)
        {
            // envelope names are short ASCII: compare an escaped spelling after unescaping it
            if (length > buf.Length || !System.Text.Encoding.UTF8.TryGetBytes(BodyReader.Unescape(name), buf, out var n))
            {
                return -1;
            }
            name = buf[..n];
        }
        return name switch
        {
            [(byte)'v'] => 0,
            _ when name.SequenceEqual("instance"u8) => 1,
            _ when name.SequenceEqual("topic"u8) => 2,
            _ when name.SequenceEqual("type"u8) => 3,
            [(byte)'i', (byte)'d'] => 4,
            _ when name.SequenceEqual("node"u8) => 5,
            _ when name.SequenceEqual("epoch"u8) => 6,
            [(byte)'s', (byte)'e', (byte)'q'] => 7,
            [(byte)'t', (byte)'s'] => 8,
            _ when name.SequenceEqual("payload"u8) => 9,
            _ => -1,
        };
    }

    private string? EnvelopeMember(ref BodyFields f, ref NameStack names, ref int seen, int member)
    {
        SkipWs();
        var valueStart = _i;
        if (Next(out var token, out var start, out var escaped) is { } bad)
        {
            return bad;
        }
        var raw = _b[start.._i];
        if (token == TokenKind.String)
        {
            raw = _b.Slice(start, _i - start - 1);
            if (escaped && BodyReader.HasLoneSurrogate(raw))
            {
                return "escaped lone surrogate in a string";
            }
        }
        switch (member)
        {
            case 0:
                seen |= Has_v;
                return token == TokenKind.Number && IsPlainInteger(raw, out var v) && v == 1 ? null : "v must be 1";
            case 1:
                seen |= Has_instance;
                return token == TokenKind.String && !escaped && GaterInstances.TryParse(raw, out f.Instance) ? null : "instance is not one of the ten instances";
            case 2:
                seen |= Has_topic;
                return EnvelopeString(token, raw, start, escaped, out f.Topic, "topic", static t => FrameRules.IsValidTopic(t), static t => FrameRules.IsValidTopic(t), "breaks its rule");
            case 3:
                seen |= Has_type;
                return EnvelopeString(token, raw, start, escaped, out f.Type, "type", static t => FrameRules.IsValidType(t), static t => FrameRules.IsValidType(t), "breaks its rule");
            case 4:
                seen |= Has_id;
                return EnvelopeString(token, raw, start, escaped, out f.Id, "id", static t => FrameRules.IsValidId(t), static t => FrameRules.IsValidId(t), "breaks its rule");
            case 5:
                seen |= Has_node;
                return EnvelopeString(token, raw, start, escaped, out f.Node, "node", static t => FrameRules.IsValidNode(t), NodeName.IsValid, "is not a node name");
            case 6:
                seen |= Has_epoch;
                return EnvelopeInteger(token, raw, 0, out f.Epoch) ? null : "epoch breaks its rule";
            case 7:
                seen |= Has_seq;
                return EnvelopeInteger(token, raw, 1, out f.Seq) ? null : "seq breaks its rule";
            case 8:
                seen |= Has_ts;
                return EnvelopeInteger(token, raw, 0, out f.Ts) ? null : "ts breaks its rule";
            case 9:
                seen |= Has_payload;
                if (token != TokenKind.Object)
                {
                    return "payload is not an object";
                }
                f.PayloadStart = valueStart;
                var err = ObjectRest(ref names, ref f, inPayload: true, record: PayloadMember.ThreadBuffer);
                f.PayloadEnd = _i;
                return err;
            default:
                return Container(token, ref names, ref f, inPayload: false);
        }
    }

    // Walks the rest of a value whose first token was just read: containers to their end, numbers in the payload
    // checked for a finite double. Scalars are complete already.
    private string? Container(TokenKind token, ref NameStack names, ref BodyFields f, bool inPayload)
        => token switch
        {
            TokenKind.Object => ObjectRest(ref names, ref f, inPayload, record: null),
            TokenKind.Array => ArrayRest(ref names, ref f, inPayload),
            _ => null,
        };

    private string? Value(ref NameStack names, ref BodyFields f, bool inPayload) => Value(ref names, ref f, inPayload, out _, out _);

    private string? Value(ref NameStack names, ref BodyFields f, bool inPayload, out TokenKind token, out bool escaped)
    {
        var numberStart = _i;
        if (Next(out token, out var start, out escaped) is { } bad)
        {
            return bad;
        }
        switch (token)
        {
            case TokenKind.String:
                return escaped && BodyReader.HasLoneSurrogate(_b.Slice(start, _i - start - 1)) ? "escaped lone surrogate in a string" : null;
            case TokenKind.Number:
                if (inPayload && !f.NonFiniteNumber && !BodyReader.IsFiniteDouble(_b[numberStart.._i]))
                {
                    // judged later, in order, as invalid_payload (wire format section 4)
                    f.NonFiniteNumber = true;
                }
                return null;
            default:
                return Container(token, ref names, ref f, inPayload);
        }
    }

    // record: the payload object's buffer, which gets each of its members (up to PayloadMember.MaxRecorded)
    private string? ObjectRest(ref NameStack names, ref BodyFields f, bool inPayload, PayloadMember[]? record)
    {
        var recorded = 0;
        if (record is not null)
        {
            f.PayloadMembers = 0;
        }
        names.Push();
        SkipWs();
        if (At('}'))
        {
            _i++;
            return Close(ref names);
        }
        while (true)
        {
            var err = MemberName(ref names, out var nameStart, out var nameLength, out var nameEscaped);
            if (err is not null)
            {
                return err;
            }
            SkipWs();
            var valueStart = _i;
            err = Value(ref names, ref f, inPayload, out var token, out var escaped);
            if (err is not null)
            {
                return err;
            }
            if (record is not null)
            {
                if (recorded < record.Length)
                {
                    record[recorded] = new PayloadMember(nameStart, nameLength, nameEscaped, token, valueStart, _i, escaped);
                }
                f.PayloadMembers = ++recorded;
            }
            var next = AfterItem('}');
            if (next <= 0)
            {
                return next < 0 ? NotJson : Close(ref names);
            }
        }
    }

    private string? Close(ref NameStack names)
    {
        names.Pop();
        _depth--;
        return null;
    }

    private string? ArrayRest(ref NameStack names, ref BodyFields f, bool inPayload)
    {
        SkipWs();
        if (At(']'))
        {
            _i++;
            _depth--;
            return null;
        }
        while (true)
        {
            var err = Value(ref names, ref f, inPayload);
            if (err is not null)
            {
                return err;
            }
            var next = AfterItem(']');
            if (next <= 0)
            {
                _depth--;
                return next < 0 ? NotJson : null;
            }
        }
    }

    // A member name and its colon, as the general reader takes them in one token.
    private bool Name(out int start, out int length, out bool escaped)
    {
        start = _i + 1;
        length = 0;
        escaped = false;
        if (!At('"') || !String(out escaped))
        {
            return false;
        }
        length = _i - 1 - start;
        SkipWs();
        if (!At(':'))
        {
            return false;
        }
        _i++;
        return true;
    }

    // A member name, its colon, and its admission: no escaped lone surrogate, not a duplicate in its object.
    private string? MemberName(ref NameStack names, out int start, out int length, out bool escaped)
    {
        if (!Name(out start, out length, out escaped))
        {
            return NotJson;
        }
        if (escaped && BodyReader.HasLoneSurrogate(_b.Slice(start, length)))
        {
            return "escaped lone surrogate in a member name";
        }
        return names.Add(_b, start, length, escaped) ? null : "duplicate member name";
    }

    // Reads one token at _i (no leading whitespace): a whole scalar, or the opening bracket of a container (its
    // depth checked here, as the general reader does). start is where a string's text begins. Null, or the fault.
    private string? Next(out TokenKind token, out int start, out bool escaped)
    {
        token = default;
        start = _i;
        escaped = false;
        if (_i >= _b.Length)
        {
            return NotJson;
        }
        bool ok;
        switch (_b[_i])
        {
            case (byte)'{':
            case (byte)'[':
                token = _b[_i] == '{' ? TokenKind.Object : TokenKind.Array;
                _i++;
                return ++_depth > FrameRules.MaxDepth ? TooDeep : null;
            case (byte)'"':
                token = TokenKind.String;
                start = _i + 1;
                ok = String(out escaped);
                break;
            case (byte)'t':
                token = TokenKind.True;
                ok = Literal("true"u8);
                break;
            case (byte)'f':
                token = TokenKind.False;
                ok = Literal("false"u8);
                break;
            case (byte)'n':
                token = TokenKind.Null;
                ok = Literal("null"u8);
                break;
            default:
                token = TokenKind.Number;
                ok = Number();
                break;
        }
        return ok ? null : NotJson;
    }

    private bool Literal(ReadOnlySpan<byte> literal)
    {
        if (!_b[_i..].StartsWith(literal))
        {
            return false;
        }
        _i += literal.Length;
        return true;
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? followed by a delimiter
    private bool Number()
    {
        var p = _i;
        if (p < _b.Length && _b[p] == '-')
        {
            p++;
        }
        if (p >= _b.Length)
        {
            return false;
        }
        if (_b[p] == '0')
        {
            p++;
        }
        else if (IsDigit(_b[p]))
        {
            p = Digits(p);
        }
        else
        {
            return false;
        }
        if (p < _b.Length && _b[p] == '.')
        {
            var d = ++p;
            p = Digits(p);
            if (p == d)
            {
                return false;
            }
        }
        if (p < _b.Length && (_b[p] | 0x20) == 'e')
        {
            p++;
            if (p < _b.Length && _b[p] is (byte)'+' or (byte)'-')
            {
                p++;
            }
            var d = p;
            p = Digits(p);
            if (p == d)
            {
                return false;
            }
        }
        // the general reader ends a number inside a container only at a delimiter, never at the end of the input
        if (p == _b.Length ? _depth > 0 : _b[p] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'/'))
        {
            return false;
        }
        _i = p;
        return true;
    }

    private readonly int Digits(int p)
    {
        while (p < _b.Length && IsDigit(_b[p]))
        {
            p++;
        }
        return p;
    }

    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    // At an opening quote: moves past the closing one. Raw control characters and unknown escapes are not JSON.
    private bool String(out bool escaped)
    {
        escaped = false;
        var p = _i + 1;
        while (true)
        {
            var k = _b[p..].IndexOfAny(StringStops);
            if (k < 0)
            {
                return false;
            }
            p += k;
            var c = _b[p];
            if (c == '"')
            {
                _i = p + 1;
                return true;
            }
            if (c != '\\' || p + 1 >= _b.Length)
            {
                return false;
            }
            escaped = true;
            switch (_b[p + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    p += 2;
                    break;
                case (byte)'u':
                    if (p + 6 > _b.Length || !BodyReader.TryHex4(_b.Slice(p + 2, 4), out _))
                    {
                        return false;
                    }
                    p += 6;
                    break;
                default:
                    return false;
            }
        }
    }

    // After a member or an item: 1 at a comma (another follows), 0 at the container's closing bracket, -1 otherwise.
    private int AfterItem(char close)
    {
        SkipWs();
        if (At(','))
        {
            _i++;
            SkipWs();
            return 1;
        }
        if (At(close))
        {
            _i++;
            return 0;
        }
        return -1;
    }

    private readonly bool At(char c) => _i < _b.Length && _b[_i] == c;

    private void SkipWs()
    {
        while (_i < _b.Length && _b[_i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            _i++;
        }
    }

    private delegate bool Utf8Rule(ReadOnlySpan<byte> text);

    // A string envelope member: where it lies, and its rule (on an escaped spelling: on its unescaped text).
    private static string? EnvelopeString(TokenKind token, ReadOnlySpan<byte> raw, int start, bool escaped, out RawString where, string member, Utf8Rule rule, Func<string, bool> textRule, string broken)
    {
        where = new RawString(start, raw.Length, escaped);
        if (token != TokenKind.String)
        {
            return member + " is not a string";
        }
        return (escaped ? textRule(BodyReader.Unescape(raw)) : rule(raw)) ? null : $"{member} {broken}";
    }

    private static bool EnvelopeInteger(TokenKind token, ReadOnlySpan<byte> raw, long min, out long value)
    {
        value = 0;
        return token == TokenKind.Number && IsPlainInteger(raw, out value) && value >= min && value < FrameRules.MaxInteger;
    }

    // no fraction or exponent, and within a long
    private static bool IsPlainInteger(ReadOnlySpan<byte> raw, out long value)
    {
        value = 0;
        return raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && Utf8Parser.TryParse(raw, out value, out var used) && used == raw.Length;
    }
}

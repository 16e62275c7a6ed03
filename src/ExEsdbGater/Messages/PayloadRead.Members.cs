using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using ExEsdbGater.Frames;

namespace ExEsdbGater.Messages;

/// <summary>A generated member reader (<c>T.TryReadMembers</c>) behind a non-generic signature, for the descriptors.</summary>
internal delegate bool PayloadMemberReader(ReadOnlySpan<byte> body, ReadOnlySpan<PayloadMember> members, [NotNullWhen(true)] out GaterMessage? message, out PayloadFault fault);

// The value readers over a member the body scanner recorded: the same decisions as the Utf8JsonReader ones beside
// them (PayloadReaderDifferentialTests holds both to the reference), on bytes the scanner has checked already.
internal static partial class PayloadRead
{
    public static bool TryUnescapeName(ReadOnlySpan<byte> body, in PayloadMember m, scoped Span<byte> buffer, out int length)
        => Encoding.UTF8.TryGetBytes(BodyReader.Unescape(m.Name(body)), buffer, out length);

    private static ReadOnlySpan<byte> Unescaped(ReadOnlySpan<byte> body, in PayloadMember m) => Encoding.UTF8.GetBytes(BodyReader.Unescape(m.Text(body)));

    public static bool String(ReadOnlySpan<byte> body, in PayloadMember m, [NotNullWhen(true)] out string? value)
    {
        value = m.Kind != TokenKind.String ? null : m.ValueEscaped ? BodyReader.Unescape(m.Text(body)) : Encoding.UTF8.GetString(m.Text(body));
        return value is not null;
    }

    public static bool NodeString(ReadOnlySpan<byte> body, in PayloadMember m, [NotNullWhen(true)] out string? value)
    {
        value = m.Kind != TokenKind.String ? null : m.ValueEscaped ? BodyReader.Unescape(m.Text(body)) : NodeNameCache.Get(m.Text(body));
        return value is not null;
    }

    public static bool Integer(ReadOnlySpan<byte> body, in PayloadMember m, out long value)
    {
        value = 0;
        var raw = m.Value(body);
        return m.Kind == TokenKind.Number && raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0
            && Utf8Parser.TryParse(raw, out value, out var used) && used == raw.Length;
    }

    public static bool Number(ReadOnlySpan<byte> body, in PayloadMember m, out double value)
    {
        value = 0;
        var raw = m.Value(body);
        return m.Kind == TokenKind.Number
            && (ShortDouble.TryParse(raw, out value) || (Utf8Parser.TryParse(raw, out value, out var used) && used == raw.Length && double.IsFinite(value)));
    }

    public static bool Boolean(ReadOnlySpan<byte> body, in PayloadMember m, out bool value)
    {
        _ = body;
        value = m.Kind == TokenKind.True;
        return m.Kind is TokenKind.True or TokenKind.False;
    }

    public static bool Instant(ReadOnlySpan<byte> body, in PayloadMember m, out DateTimeOffset value)
    {
        value = default;
        if (m.Kind != TokenKind.String)
        {
            return false;
        }
        return m.ValueEscaped ? Json.Instant.TryParse(BodyReader.Unescape(m.Text(body)).AsSpan(), out value) : Json.Instant.TryParse(m.Text(body), out value);
    }

    public static bool Map(ReadOnlySpan<byte> body, in PayloadMember m, [NotNullWhen(true)] out JsonMap? value)
    {
        value = m.Kind == TokenKind.Object ? JsonMap.OverUtf8(m.Value(body)) : null;
        return value is not null;
    }

    public static bool Any(ReadOnlySpan<byte> body, in PayloadMember m, [NotNullWhen(true)] out JsonAny? value)
    {
        value = JsonAny.OverUtf8(m.Value(body));
        return true;
    }

    // Lists are rare and short: read over their own bytes by the general readers.
    public static bool Strings(ReadOnlySpan<byte> body, in PayloadMember m, [NotNullWhen(true)] out ValueList<string>? value)
    {
        var r = new Utf8JsonReader(m.Value(body), Options);
        r.Read();
        return Strings(ref r, out value);
    }

    public static bool Maps(ReadOnlySpan<byte> body, in PayloadMember m, [NotNullWhen(true)] out ValueList<JsonMap>? value)
    {
        var list = m.Value(body);
        var r = new Utf8JsonReader(list, Options);
        r.Read();
        return Maps(ref r, list, out value);
    }
}

using System.Buffers.Text;
using System.Text.Json;

namespace ExEsdbGater.Frames;

/// <summary>Where a JSON string's raw (still escaped) bytes lie in the body.</summary>
internal readonly record struct RawString(int Start, int Length, bool Escaped)
{
    public ReadOnlySpan<byte> In(ReadOnlySpan<byte> body) => body.Slice(Start, Length);
}

/// <summary>
/// Reads a frame body strictly: valid UTF-8 JSON object, no duplicate member at any depth, at most 64 levels,
/// no escaped lone surrogate, and every envelope member present and within its rule.
/// </summary>
internal static class BodyReader
{
    public static string? Read(ReadOnlySpan<byte> body, out BodyFields f)
    {
        f = default;
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            return "body is not valid UTF-8";
        }
        var names = new NameStack();
        try
        {
            return BodyScanner.Scan(body, ref f, ref names);
        }
        finally
        {
            names.Dispose();
        }
    }

    // Up to 15 digits without an exponent always fit a finite double; only longer or exponent forms need parsing.
    internal static bool IsFiniteDouble(ReadOnlySpan<byte> number)
    {
        if (number.Length <= 15 && number.IndexOfAny((byte)'e', (byte)'E') < 0)
        {
            return true;
        }
        return Utf8Parser.TryParse(number, out double d, out var used) && used == number.Length && double.IsFinite(d);
    }

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

    internal static bool TryHex4(ReadOnlySpan<byte> s, out int value)
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

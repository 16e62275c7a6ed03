using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ExEsdbGater.Json;

/// <summary>Reads and writes the wire form of instants (RFC 3339, UTC, milliseconds).</summary>
public static class Instant
{
    internal const int Utf8Length = 24;

    /// <summary>Formats an instant as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> in UTC.</summary>
    public static string Format(DateTimeOffset value)
    {
        Span<byte> buf = stackalloc byte[Utf8Length];
        return TryFormatUtf8(value, buf)
            ? System.Text.Encoding.ASCII.GetString(buf)
            : value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Writes <c>yyyy-MM-ddTHH:mm:ss.fffZ</c> (24 bytes) by hand: a custom format string costs more than the rest of a frame.</summary>
    internal static bool TryFormatUtf8(DateTimeOffset value, Span<byte> buf)
    {
        var utc = value.UtcDateTime;
        if (!Digits(buf, 0, utc.Year, 4))
        {
            return false;
        }
        // The separators come from a template; only the digits are written.
        "-00-00T00:00:00.000Z"u8.CopyTo(buf[4..]);
        Digits(buf, 5, utc.Month, 2);
        Digits(buf, 8, utc.Day, 2);
        Digits(buf, 11, utc.Hour, 2);
        Digits(buf, 14, utc.Minute, 2);
        Digits(buf, 17, utc.Second, 2);
        Digits(buf, 20, utc.Millisecond, 3);
        return true;
    }

    private static bool Digits(Span<byte> buf, int at, int value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            buf[at + i] = (byte)('0' + (value % 10));
            value /= 10;
        }
        return value == 0;
    }

    /// <summary>Truncates an instant to whole milliseconds, in UTC.</summary>
    public static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    /// <summary>
    /// Parses an RFC 3339 instant as receivers accept it: 0–9 fractional digits, <c>Z</c> or a
    /// <c>±hh:mm</c> offset of at most 14:00; the date and time must exist. The result is UTC.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        Span<byte> utf8 = stackalloc byte[40];
        value = default;
        if (s.Length > utf8.Length)
        {
            return false;
        }
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] > 0x7E)
            {
                return false;
            }
            utf8[i] = (byte)s[i];
        }
        return TryParse(utf8[..s.Length], out value);
    }

    /// <summary>Parses an RFC 3339 instant given as UTF-8 bytes (see <see cref="TryParse(ReadOnlySpan{char}, out DateTimeOffset)"/>).</summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        // yyyy-MM-ddTHH:mm:ss
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }
        if (!Digits(s[..4], out var year) || !Digits(s.Slice(5, 2), out var month) || !Digits(s.Slice(8, 2), out var day)
            || !Digits(s.Slice(11, 2), out var hour) || !Digits(s.Slice(14, 2), out var minute) || !Digits(s.Slice(17, 2), out var second))
        {
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        var pos = 19;
        long fractionTicks = 0;
        if (s[pos] == '.')
        {
            pos++;
            var start = pos;
            long frac = 0;
            while (pos < s.Length && s[pos] is >= (byte)'0' and <= (byte)'9')
            {
                if (pos - start >= 9)
                {
                    return false;
                }
                frac = (frac * 10) + (s[pos] - '0');
                pos++;
            }
            var digits = pos - start;
            if (digits == 0)
            {
                return false;
            }
            // scale to 100 ns ticks (7 digits)
            for (var d = digits; d < 7; d++)
            {
                frac *= 10;
            }
            for (var d = 7; d < digits; d++)
            {
                frac /= 10;
            }
            fractionTicks = frac;
        }
        if (pos >= s.Length)
        {
            return false;
        }
        TimeSpan offset;
        if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.Length)
        {
            offset = TimeSpan.Zero;
        }
        else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.Length && s[pos + 3] == ':'
            && Digits(s.Slice(pos + 1, 2), out var oh) && Digits(s.Slice(pos + 4, 2), out var om))
        {
            if (om > 59 || (oh * 60) + om > 14 * 60)
            {
                return false;
            }
            offset = new TimeSpan(oh, om, 0);
            if (s[pos] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }
        try
        {
            var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
            value = new DateTimeOffset(local, offset).ToUniversalTime();
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool Digits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            value = (value * 10) + (c - '0');
        }
        return true;
    }
}

internal sealed class InstantConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("An instant must be a string.");
        }
        var ok = reader.ValueIsEscaped
            ? Instant.TryParse(reader.GetString().AsSpan(), out var v)
            : Instant.TryParse(reader.ValueSpan, out v);
        return ok ? v : throw new JsonException("An instant must be RFC 3339.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<byte> buf = stackalloc byte[Instant.Utf8Length];
        if (Instant.TryFormatUtf8(value, buf))
        {
            writer.WriteStringValue(buf);
        }
        else
        {
            throw new JsonException($"{value} is outside the years 0001-9999.");
        }
    }
}

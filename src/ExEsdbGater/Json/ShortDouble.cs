namespace ExEsdbGater.Json;

/// <summary>
/// Doubles as messages usually carry them, up to 15 significant digits, written and read without the runtime's
/// general algorithms (about 40 ns a number each way; a health or metrics message has several). Writing gives what
/// System.Text.Json writes (the shortest decimal that reads back as the same double) for magnitudes from 1e-4 to
/// below 1e14; reading gives what a correctly rounding parser gives, for plain decimals of up to 15 digits.
/// </summary>
/// <remarks>
/// The value is scaled to 15 significant digits and rounded to an integer m; the value takes 15 digits or fewer
/// exactly when m ÷ 10^k is the value again (both exact doubles, and IEEE division rounds as parsing the decimal
/// would). At 15 digits or fewer only one decimal of each length reads back as a given double, so the shortest is m
/// with its trailing zeros dropped. Anything else (16 or 17 digits, other magnitudes, zero, NaN) is left to the
/// writer, as is the exponent form the writer uses outside this range.
/// </remarks>
internal static class ShortDouble
{
    /// <summary>Room for any number written here (at most 21 bytes: a sign, "0.000" and 15 digits).</summary>
    public const int MaxLength = 24;

    private const double Lowest = 1e-4;
    private const double Limit = 1e14;

    private static ReadOnlySpan<double> Pow10 =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    ];

    /// <summary>Writes the value's shortest round-trip decimal in plain notation; false when it is not one this handles.</summary>
    public static bool TryFormat(double value, Span<byte> destination, out int written)
    {
        written = 0;
        var a = Math.Abs(value);
        // also false for NaN and zero
        if (!(a >= Lowest && a < Limit) || destination.Length < MaxLength)
        {
            return false;
        }
        // a in [10^e, 10^(e+1)), e from -4 to 13: k = 14 - e decimals give 15 significant digits
        var e = 13;
        while (e > -4 && a < (e >= 0 ? Pow10[e] : 1 / Pow10[-e]))
        {
            e--;
        }
        var k = 14 - e;
        var m = Math.Round(a * Pow10[k]);
        if (m >= 1e15 || m / Pow10[k] != a)
        {
            return false;
        }
        var digits = (ulong)m;
        while (k > 0 && digits % 10 == 0)
        {
            digits /= 10;
            k--;
        }
        written = Write(value < 0, digits, k, destination);
        return true;
    }

    /// <summary>
    /// Reads a JSON number (its grammar already checked) of at most 15 digits and no exponent; false for any other,
    /// which the caller leaves to the general parser.
    /// </summary>
    /// <remarks>The digits as an integer m and their decimals k: m and 10^k are exact doubles, and IEEE division rounds m ÷ 10^k as a correct parser rounds the decimal.</remarks>
    public static bool TryParse(ReadOnlySpan<byte> number, out double value)
    {
        value = 0;
        var negative = number.Length > 0 && number[0] == '-';
        ulong digits = 0;
        var count = 0;
        var decimals = -1;
        for (var i = negative ? 1 : 0; i < number.Length; i++)
        {
            var c = number[i];
            if (c == '.' && decimals < 0)
            {
                decimals = 0;
                continue;
            }
            if ((uint)(c - '0') > 9 || ++count > 15)
            {
                return false;
            }
            digits = (digits * 10) + (uint)(c - '0');
            if (decimals >= 0)
            {
                decimals++;
            }
        }
        if (count == 0)
        {
            return false;
        }
        var magnitude = decimals > 0 ? digits / Pow10[decimals] : digits;
        value = negative ? -magnitude : magnitude;
        return true;
    }

    // digits with a point before its last k, at least one digit before the point
    private static int Write(bool negative, ulong digits, int k, Span<byte> destination)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        var i = text.Length;
        for (var j = 0; j < k; j++)
        {
            text[--i] = (byte)('0' + (int)(digits % 10));
            digits /= 10;
        }
        if (k > 0)
        {
            text[--i] = (byte)'.';
        }
        do
        {
            text[--i] = (byte)('0' + (int)(digits % 10));
            digits /= 10;
        }
        while (digits != 0);
        if (negative)
        {
            text[--i] = (byte)'-';
        }
        text[i..].CopyTo(destination);
        return text.Length - i;
    }
}

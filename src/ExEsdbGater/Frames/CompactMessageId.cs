using System.Globalization;

namespace ExEsdbGater.Frames;

// The ids this library's publishers give (msg_<micros>_<6 base64url chars>, ElixirCompat.GenerateMessageId) kept as
// two longs instead of a 27-character string (80 bytes) until someone reads Envelope.Id: most receivers never do.
// Any other id stays a string. Format(TryParse(x)) == x, byte for byte, for every id TryParse accepts.
internal static class CompactMessageId
{
    private const int TailLength = 6;
    private const int MaxDigits = 18; // always fits a long

    public static bool TryParse(ReadOnlySpan<byte> id, out long micros, out long tail)
    {
        micros = 0;
        tail = 0;
        var digits = id.Length - "msg_".Length - 1 - TailLength;
        if (digits is < 1 or > MaxDigits || !id.StartsWith("msg_"u8) || id[^(TailLength + 1)] != (byte)'_'
            || (digits > 1 && id["msg_".Length] == (byte)'0'))
        {
            return false;
        }
        foreach (var d in id.Slice("msg_".Length, digits))
        {
            if (d is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
            micros = (micros * 10) + (d - '0');
        }
        var t = id[^TailLength..];
        for (var i = 0; i < TailLength; i++)
        {
            if (!IsBase64Url(t[i]))
            {
                micros = 0;
                tail = 0;
                return false;
            }
            tail |= (long)t[i] << (8 * i);
        }
        return true;
    }

    public static string Format(long micros, long tail)
    {
        Span<char> chars = stackalloc char[4 + MaxDigits + 1 + TailLength];
        "msg_".CopyTo(chars);
        micros.TryFormat(chars[4..], out var n, provider: CultureInfo.InvariantCulture);
        var at = 4 + n;
        chars[at++] = '_';
        for (var i = 0; i < TailLength; i++)
        {
            chars[at++] = (char)(byte)(tail >> (8 * i));
        }
        return new string(chars[..at]);
    }

    private static bool IsBase64Url(byte b) => b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_';
}

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
        foreach (var c in t)
        {
            if (!IsBase64Url(c))
            {
                micros = 0;
                return false;
            }
        }
        tail = PackTail(t);
        return true;
    }

    // The longest id Format and WriteUtf8 give: any long (a sign and 19 digits), not only the ones kept compact.
    public const int MaxLength = 4 + 20 + 1 + TailLength;

    // Whether an id built from these parts reads back through TryParse (the form kept compact).
    public static bool Fits(long micros) => micros is >= 0 and <= 999_999_999_999_999_999;

    public static string Format(long micros, long tail)
    {
        Span<byte> utf8 = stackalloc byte[MaxLength];
        return System.Text.Encoding.ASCII.GetString(utf8[..WriteUtf8(micros, tail, utf8)]);
    }

    public static int WriteUtf8(long micros, long tail, Span<byte> destination)
    {
        "msg_"u8.CopyTo(destination);
        micros.TryFormat(destination[4..], out var n, provider: CultureInfo.InvariantCulture);
        var at = 4 + n;
        destination[at++] = (byte)'_';
        UnpackTail(tail, destination.Slice(at, TailLength));
        return at + TailLength;
    }

    // Six base64url characters (four random bytes) as the tail's packed form.
    public static long PackTail(ReadOnlySpan<byte> sixChars)
    {
        long tail = 0;
        for (var i = 0; i < TailLength; i++)
        {
            tail |= (long)sixChars[i] << (8 * i);
        }
        return tail;
    }

    // The six characters a packed tail holds (PackTail's inverse).
    public static void UnpackTail(long tail, Span<byte> sixChars)
    {
        for (var i = 0; i < TailLength; i++)
        {
            sixChars[i] = (byte)(tail >> (8 * i));
        }
    }

    private static bool IsBase64Url(byte b) => b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_';
}

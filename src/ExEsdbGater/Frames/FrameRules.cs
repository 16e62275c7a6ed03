using System.Buffers;

namespace ExEsdbGater.Frames;

/// <summary>The value rules of the frame (wire-format sections 1 and 3).</summary>
internal static class FrameRules
{
    public const int MaxFrameBytes = 1024 * 1024;
    public const int MaxDepth = 64;
    public const long MaxInteger = 1L << 53;
    public const string UnsignedKid = "unsigned";

    private static readonly SearchValues<byte> KidBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"u8);
    private static readonly SearchValues<char> KidChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
    private static readonly SearchValues<char> TypeTail = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_");

    public static bool IsValidKid(ReadOnlySpan<byte> kid) => kid.Length is >= 1 and <= 64 && !kid.ContainsAnyExcept(KidBytes);

    public static bool IsValidKid(string? kid) => kid is { Length: >= 1 and <= 64 } && !kid.AsSpan().ContainsAnyExcept(KidChars);

    public static bool IsValidType(ReadOnlySpan<char> type)
        => type.Length is >= 1 and <= 64 && type[0] is >= 'a' and <= 'z' && !type[1..].ContainsAnyExcept(TypeTail);

    private static readonly SearchValues<byte> TypeTailBytes = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_"u8);

    public static bool IsValidType(ReadOnlySpan<byte> type)
        => type.Length is >= 1 and <= 64 && type[0] is >= (byte)'a' and <= (byte)'z' && !type[1..].ContainsAnyExcept(TypeTailBytes);

    public static bool IsValidId(ReadOnlySpan<byte> id) => id.Length is >= 1 and <= 128 && !id.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E);

    // Raw UTF-8: control characters are single bytes, and no byte of a multi-byte sequence is below 0x80.
    public static bool IsValidTopic(ReadOnlySpan<byte> topic)
        => topic.Length is >= 1 and <= 255 && topic.IndexOfAnyInRange((byte)0, (byte)0x1F) < 0 && topic.IndexOfAny((byte)'*', (byte)0x7F) < 0;

    public static bool IsValidNode(ReadOnlySpan<byte> node)
    {
        if (node.Length > 400 || node.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
        {
            return false;
        }
        Span<char> chars = stackalloc char[node.Length];
        for (var i = 0; i < node.Length; i++)
        {
            chars[i] = (char)node[i];
        }
        return NodeName.IsValid(chars);
    }

    public static bool IsValidId(ReadOnlySpan<char> id)
    {
        if (id.Length is < 1 or > 128)
        {
            return false;
        }
        foreach (var c in id)
        {
            if (c is < (char)0x21 or > (char)0x7E)
            {
                return false;
            }
        }
        return true;
    }

    public static bool IsValidTopic(ReadOnlySpan<char> topic)
    {
        if (topic.IsEmpty || System.Text.Encoding.UTF8.GetByteCount(topic) > 255)
        {
            return false;
        }
        for (var i = 0; i < topic.Length; i++)
        {
            var c = topic[i];
            if (c == '*' || c < 0x20 || c == 0x7F)
            {
                return false;
            }
            // a surrogate only as half of a pair: a lone one has no UTF-8 form, and a writer would sign U+FFFD in its
            // place, so every receiver would find the frame's topic differing from its channel's
            if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < topic.Length && char.IsLowSurrogate(topic[++i])))
            {
                return false;
            }
        }
        return true;
    }
}

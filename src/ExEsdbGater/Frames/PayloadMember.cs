namespace ExEsdbGater.Frames;

/// <summary>
/// One member of a payload object as the body scanner found it: where its name and its whole value lie in the body.
/// The generated member readers build the typed record from these without reading the payload a second time.
/// </summary>
internal readonly record struct PayloadMember(int NameStart, int NameLength, bool NameEscaped, TokenKind Kind, int ValueStart, int ValueEnd, bool ValueEscaped)
{
    /// <summary>The payload members the scanner records per body; a payload with more is read the general way.</summary>
    public const int MaxRecorded = 64;

    [ThreadStatic]
    private static PayloadMember[]? t_members;

    /// <summary>This thread's buffer for the members of the body it is reading.</summary>
    public static PayloadMember[] ThreadBuffer => t_members ??= new PayloadMember[MaxRecorded];

    /// <summary>The value's bytes: a whole JSON value (a string with its quotes).</summary>
    public ReadOnlySpan<byte> Value(ReadOnlySpan<byte> body) => body[ValueStart..ValueEnd];

    /// <summary>A string value's raw text, without its quotes (still escaped if <see cref="ValueEscaped"/>).</summary>
    public ReadOnlySpan<byte> Text(ReadOnlySpan<byte> body) => body[(ValueStart + 1)..(ValueEnd - 1)];

    /// <summary>The name's raw text (still escaped if <see cref="NameEscaped"/>).</summary>
    public ReadOnlySpan<byte> Name(ReadOnlySpan<byte> body) => body.Slice(NameStart, NameLength);
}

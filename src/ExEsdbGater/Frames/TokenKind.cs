namespace ExEsdbGater.Frames;

/// <summary>The kind of a JSON value, from its first token: what the body scanner reads and a payload member records.</summary>
internal enum TokenKind : byte
{
    String,
    Number,
    True,
    False,
    Null,
    Object,
    Array,
}

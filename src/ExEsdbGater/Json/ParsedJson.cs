using System.Text.Json;

namespace ExEsdbGater.Json;

// The state behind a JsonMap or JsonAny, kept in one field: the value's UTF-8 bytes until someone looks inside, then
// this holder (the bytes, their document and, for maps, a key index). One reference per value keeps a verified
// message small: most receivers never look inside a map.
internal sealed class ParsedJson
{
    public readonly byte[] Utf8;
    public readonly JsonDocument Document;
    // the bytes came from a WrittenJson: still writable as they are
    public readonly bool Written;
    // built on first look-up by key; a race builds two equal indexes and keeps either
    public Dictionary<string, JsonElement>? Index;

    private ParsedJson(byte[] utf8, bool written)
    {
        Utf8 = utf8;
        Written = written;
        // An element's raw text keeps what its document allowed (comments, trailing commas, any depth); payload bytes
        // and built values were checked with the defaults already.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = int.MaxValue });
        // as before this change: a document nobody disposes, collected with its value
        Document = JsonDocument.ParseValue(ref reader);
    }

    public static byte[] BytesOf(object state) => state switch
    {
        byte[] bytes => bytes,
        WrittenJson written => written.Utf8,
        _ => ((ParsedJson)state).Utf8,
    };

    /// <summary>The bytes when they are what a default Utf8JsonWriter writes for the value (<see cref="WrittenJson"/>), else null.</summary>
    public static byte[]? WrittenBytesOf(object state) => state switch
    {
        WrittenJson written => written.Utf8,
        ParsedJson { Written: true } parsed => parsed.Utf8,
        _ => null,
    };

    // A race parses twice and keeps the first holder stored: both hold the same value.
    public static ParsedJson Of(ref object state)
    {
        var seen = Volatile.Read(ref state);
        if (seen is ParsedJson parsed)
        {
            return parsed;
        }
        var made = seen is WrittenJson written ? new ParsedJson(written.Utf8, written: true) : new ParsedJson((byte[])seen, written: false);
        return Interlocked.CompareExchange(ref state, made, seen) as ParsedJson ?? made;
    }

    public static byte[] RawBytes(JsonElement element) => System.Text.Encoding.UTF8.GetBytes(element.GetRawText());

    // Bytes a Utf8JsonWriter wrote for a built value: checked with the reader's default depth (64), so that a value
    // too deep fails where it is built, as it did when it was parsed at once, not later where it is signed.
    public static WrittenJson Built(ReadOnlySpan<byte> written)
    {
        var reader = new Utf8JsonReader(written);
        while (reader.Read())
        {
        }
        return new WrittenJson(written.ToArray());
    }
}

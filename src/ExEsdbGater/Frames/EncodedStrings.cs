using System.Text.Json;

namespace ExEsdbGater.Frames;

/// <summary>
/// A signing thread's last envelope topic, type and node, each encoded for JSON once the same string comes twice in a
/// row. A bus signs with one node and mostly a few topics held in the same strings, and an encoded value spares the
/// writer its scan for characters to escape and its UTF-16 to UTF-8 pass; a string that changes every time is written
/// as before, with no allocation. Only checked strings are written, so one the slot holds needs no check again.
/// </summary>
internal sealed class EncodedStrings
{
    public Slot Topic;
    public Slot Type;
    public Slot Node;

    /// <summary>One member's cache: the string written last, and the one held encoded. Compared by reference.</summary>
    public struct Slot
    {
        private string? _last;
        private string? _encodedFor;
        private JsonEncodedText _encoded;

        /// <summary>True when <paramref name="value"/> is the string written last or the one held encoded (it was checked then).</summary>
        public readonly bool Holds(string? value)
            => value is not null && (ReferenceEquals(value, _last) || ReferenceEquals(value, _encodedFor));

        // The value was checked (FrameEncoder.CheckEnvelope): not null, and no unpaired surrogate, which
        // JsonEncodedText would refuse.
        public void Write(Utf8JsonWriter writer, JsonEncodedText name, string value)
        {
            if (!ReferenceEquals(value, _encodedFor))
            {
                if (!ReferenceEquals(value, _last))
                {
                    _last = value;
                    writer.WriteString(name, value);
                    return;
                }
                _encoded = JsonEncodedText.Encode(value);
                _encodedFor = value;
            }
            writer.WriteString(name, _encoded);
        }
    }
}

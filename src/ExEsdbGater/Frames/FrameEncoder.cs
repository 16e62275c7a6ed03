using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace ExEsdbGater.Frames;

/// <summary>Encodes signed <c>exg1</c> frames: the one signing path of the library.</summary>
public static class FrameEncoder
{
    internal const int SigChars = 43;
    private static readonly byte[] Magic = "exg1."u8.ToArray();

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    // Member names and instance names encoded once: written from a span, the writer looks for characters to escape in
    // every name and value each time (about a fifth of a sign).
    private static readonly JsonEncodedText VKey = JsonEncodedText.Encode("v"u8);
    private static readonly JsonEncodedText InstanceKey = JsonEncodedText.Encode("instance"u8);
    private static readonly JsonEncodedText TopicKey = JsonEncodedText.Encode("topic"u8);
    private static readonly JsonEncodedText TypeKey = JsonEncodedText.Encode("type"u8);
    private static readonly JsonEncodedText IdKey = JsonEncodedText.Encode("id"u8);
    private static readonly JsonEncodedText NodeKey = JsonEncodedText.Encode("node"u8);
    private static readonly JsonEncodedText EpochKey = JsonEncodedText.Encode("epoch"u8);
    private static readonly JsonEncodedText SeqKey = JsonEncodedText.Encode("seq"u8);
    private static readonly JsonEncodedText TsKey = JsonEncodedText.Encode("ts"u8);
    private static readonly JsonEncodedText PayloadKey = JsonEncodedText.Encode("payload"u8);
    private static readonly JsonEncodedText[] InstanceValues = [.. GaterInstances.All.Select(i => JsonEncodedText.Encode(i.WireName()))];

    // The topic, type and node of the frames a thread signs, encoded once they repeat (see EncodedStrings).
    [ThreadStatic]
    private static EncodedStrings? t_strings;

    /// <summary>Builds and signs one frame. The payload type must belong to the instance (any type on <c>ex_esdb_events</c>).</summary>
    /// <exception cref="GaterSecurityException">The ring has no signing key and is not in unsigned mode.</exception>
    /// <exception cref="ArgumentException">An envelope member breaks its rule.</exception>
    public static byte[] Encode(KeyRing keys, Envelope envelope, GaterMessage payload)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(payload);
        var strings = t_strings ??= new EncodedStrings();
        CheckEnvelope(envelope, payload, strings);
        var key = keys.SigningKey;
        if (key is null && !keys.AllowUnsigned)
        {
            throw new GaterSecurityException("No secret configured: set SECRET_KEY_BASE (32+ bytes) or configure a secret; unsigned frames are only sent in explicit development mode.");
        }
        var kid = key?.KidUtf8 ?? "unsigned"u8.ToArray();
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        // signed input: "exg1." kid "." body
        buffer.Write(Magic);
        buffer.Write(kid);
        buffer.Write("."u8);
        var prefixLen = buffer.WrittenCount;
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(buffer);
        WriteBody(writer, envelope, payload, strings);
        writer.Flush();
        var signed = buffer.WrittenSpan;
        var bodyLen = signed.Length - prefixLen;
        var sigLen = key is null ? 0 : SigChars;
        var frame = new byte[prefixLen + sigLen + 1 + bodyLen];
        signed[..prefixLen].CopyTo(frame);
        if (key is not null)
        {
            Span<byte> mac = stackalloc byte[32];
            key.Mac(signed, mac);
            Base64Url.EncodeToUtf8(mac, frame.AsSpan(prefixLen, SigChars));
        }
        frame[prefixLen + sigLen] = (byte)'.';
        signed[prefixLen..].CopyTo(frame.AsSpan(prefixLen + sigLen + 1));
        if (frame.Length > FrameRules.MaxFrameBytes)
        {
            throw new ArgumentException($"The frame would be {frame.Length} bytes; the limit is {FrameRules.MaxFrameBytes}.", nameof(payload));
        }
        return frame;
    }

    /// <summary>Computes the signature characters of "exg1." kid "." body under a key (for tests and tools).</summary>
    internal static void Sign(byte[] key, ReadOnlySpan<byte> signedInput, Span<byte> sigChars)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, signedInput, mac);
        Base64Url.EncodeToUtf8(mac, sigChars);
    }

    private static void WriteBody(Utf8JsonWriter w, Envelope e, GaterMessage payload, EncodedStrings strings)
    {
        w.WriteStartObject();
        w.WriteNumber(VKey, 1);
        w.WriteString(InstanceKey, InstanceValues[(int)e.Instance]);
        strings.Topic.Write(w, TopicKey, e.Topic);
        strings.Type.Write(w, TypeKey, e.Type);
        if (e.HasCompactId)
        {
            Span<byte> id = stackalloc byte[CompactMessageId.MaxLength];
            w.WriteString(IdKey, id[..e.WriteCompactId(id)]);
        }
        else
        {
            w.WriteString(IdKey, e.Id);
        }
        strings.Node.Write(w, NodeKey, e.Node);
        w.WriteNumber(EpochKey, e.Epoch);
        w.WriteNumber(SeqKey, e.Seq);
        w.WriteNumber(TsKey, e.Timestamp);
        w.WritePropertyName(PayloadKey);
        if (payload is ApplicationEvent ev)
        {
            PayloadWrite.Map(w, ev.Payload);
        }
        else
        {
            // the type's generated writer: the serializer's bytes without its per-member machinery
            MessageCatalog.Find(payload.GetType())!.Writer(w, payload);
        }
        w.WriteEndObject();
    }

    // A topic, type or node this thread wrote last (the same string object) passed these checks then.
    private static void CheckEnvelope(Envelope envelope, GaterMessage payload, EncodedStrings strings)
    {
        if (payload.Instance != envelope.Instance)
        {
            throw new ArgumentException($"A {payload.Tag} message belongs to {payload.Instance.WireName()}, not {envelope.Instance.WireName()}.", nameof(payload));
        }
        if (envelope.Type != payload.Tag)
        {
            throw new ArgumentException($"The envelope type '{envelope.Type}' differs from the payload's tag '{payload.Tag}'.", nameof(envelope));
        }
        if (!strings.Topic.Holds(envelope.Topic) && !FrameRules.IsValidTopic(envelope.Topic))
        {
            throw new ArgumentException($"'{envelope.Topic}' is not a valid topic (1-255 UTF-8 bytes, no '*', no control characters).", nameof(envelope));
        }
        if (!strings.Type.Holds(envelope.Type) && !FrameRules.IsValidType(envelope.Type))
        {
            throw new ArgumentException($"'{envelope.Type}' is not a valid type ([a-z][a-z0-9_]{{0,63}}).", nameof(envelope));
        }
        if (!envelope.HasCompactId && !FrameRules.IsValidId(envelope.Id))
        {
            throw new ArgumentException($"'{envelope.Id}' is not a valid id (1-128 ASCII characters from 0x21 to 0x7E: no spaces, no control characters).", nameof(envelope));
        }
        if (!strings.Node.Holds(envelope.Node) && !NodeName.IsValid(envelope.Node))
        {
            throw new ArgumentException($"'{envelope.Node}' is not a valid node name.", nameof(envelope));
        }
        if (envelope.Epoch is < 0 or >= FrameRules.MaxInteger || envelope.Seq is < 1 or >= FrameRules.MaxInteger || envelope.Timestamp is < 0 or >= FrameRules.MaxInteger)
        {
            throw new ArgumentException("epoch, seq or ts is out of range (0 <= epoch, ts < 2^53; 1 <= seq < 2^53).", nameof(envelope));
        }
    }
}

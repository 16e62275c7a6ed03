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

    /// <summary>Builds and signs one frame. The payload type must belong to the instance (any type on <c>ex_esdb_events</c>).</summary>
    /// <exception cref="GaterSecurityException">The ring has no signing key and is not in unsigned mode.</exception>
    /// <exception cref="ArgumentException">An envelope member breaks its rule.</exception>
    public static byte[] Encode(KeyRing keys, Envelope envelope, GaterMessage payload)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(payload);
        CheckEnvelope(envelope, payload);
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
        WriteBody(writer, envelope, payload);
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

    private static void WriteBody(Utf8JsonWriter w, Envelope e, GaterMessage payload)
    {
        w.WriteStartObject();
        w.WriteNumber("v"u8, 1);
        w.WriteString("instance"u8, e.Instance.WireName());
        w.WriteString("topic"u8, e.Topic);
        w.WriteString("type"u8, e.Type);
        if (e.HasCompactId)
        {
            Span<byte> id = stackalloc byte[CompactMessageId.MaxLength];
            w.WriteString("id"u8, id[..e.WriteCompactId(id)]);
        }
        else
        {
            w.WriteString("id"u8, e.Id);
        }
        w.WriteString("node"u8, e.Node);
        w.WriteNumber("epoch"u8, e.Epoch);
        w.WriteNumber("seq"u8, e.Seq);
        w.WriteNumber("ts"u8, e.Timestamp);
        w.WritePropertyName("payload"u8);
        if (payload is ApplicationEvent ev)
        {
            ev.Payload.Element.WriteTo(w);
        }
        else
        {
            // the type's generated writer: the serializer's bytes without its per-member machinery
            MessageCatalog.Find(payload.GetType())!.Writer(w, payload);
        }
        w.WriteEndObject();
    }

    private static void CheckEnvelope(Envelope envelope, GaterMessage payload)
    {
        if (payload.Instance != envelope.Instance)
        {
            throw new ArgumentException($"A {payload.Tag} message belongs to {payload.Instance.WireName()}, not {envelope.Instance.WireName()}.", nameof(payload));
        }
        if (envelope.Type != payload.Tag)
        {
            throw new ArgumentException($"The envelope type '{envelope.Type}' differs from the payload's tag '{payload.Tag}'.", nameof(envelope));
        }
        if (!FrameRules.IsValidTopic(envelope.Topic))
        {
            throw new ArgumentException($"'{envelope.Topic}' is not a valid topic (1-255 UTF-8 bytes, no '*', no control characters).", nameof(envelope));
        }
        if (!FrameRules.IsValidType(envelope.Type))
        {
            throw new ArgumentException($"'{envelope.Type}' is not a valid type ([a-z][a-z0-9_]{{0,63}}).", nameof(envelope));
        }
        if (!envelope.HasCompactId && !FrameRules.IsValidId(envelope.Id))
        {
            throw new ArgumentException($"'{envelope.Id}' is not a valid id (1-128 ASCII characters from 0x21 to 0x7E: no spaces, no control characters).", nameof(envelope));
        }
        if (!NodeName.IsValid(envelope.Node))
        {
            throw new ArgumentException($"'{envelope.Node}' is not a valid node name.", nameof(envelope));
        }
        if (envelope.Epoch is < 0 or >= FrameRules.MaxInteger || envelope.Seq is < 1 or >= FrameRules.MaxInteger || envelope.Timestamp is < 0 or >= FrameRules.MaxInteger)
        {
            throw new ArgumentException("epoch, seq or ts is out of range (0 <= epoch, ts < 2^53; 1 <= seq < 2^53).", nameof(envelope));
        }
    }
}

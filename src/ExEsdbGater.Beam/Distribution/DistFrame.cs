using System.Buffers.Binary;
using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Distribution;

/// <summary>Pass-through frames: 112, control term, optional message term (each with the 131 version byte).</summary>
internal static class DistFrame
{
    public const byte PassThrough = 112;

    /// <summary>The whole frame with its 4-byte length prefix. Atoms as UTF-8 (every peer has UTF8_ATOMS).</summary>
    public static byte[] Encode(Term control, Term? payload)
    {
        var cs = EtfWriter.GetSize(control);
        var ps = payload is null ? 0 : 1 + EtfWriter.GetSize(payload);
        var len = 1 + 1 + cs + ps;
        var buf = new byte[4 + len];
        BinaryPrimitives.WriteInt32BigEndian(buf, len);
        buf[4] = PassThrough;
        buf[5] = EtfReader.VersionByte;
        EtfWriter.Write(buf.AsSpan(6, cs), control);
        if (payload is not null)
        {
            buf[6 + cs] = EtfReader.VersionByte;
            EtfWriter.Write(buf.AsSpan(7 + cs), payload);
        }
        return buf;
    }

    /// <summary>Decodes a frame body (without length). Throws <see cref="EtfFormatException"/> naming the problem.</summary>
    public static (Terms.Tuple Control, Term? Payload) Decode(ReadOnlySpan<byte> frame, TermLimits limits)
    {
        if (frame.Length < 2 || frame[0] != PassThrough)
        {
            throw new EtfFormatException(frame.Length == 0 ? "empty frame" : $"frame type {frame[0]} is not pass-through (112)", 0);
        }
        var pos = 1;
        RequireVersion(frame, pos);
        var control = EtfReader.Read(frame, ref pos, limits) as Terms.Tuple ?? throw new EtfFormatException("control message is not a tuple", 1);
        if (control.Arity < 1 || control[0] is not Integer)
        {
            throw new EtfFormatException("control message does not start with an operation number", 1);
        }
        Term? payload = null;
        if (pos < frame.Length)
        {
            RequireVersion(frame, pos);
            payload = EtfReader.Read(frame, ref pos, limits);
        }
        if (pos != frame.Length)
        {
            throw new EtfFormatException($"{frame.Length - pos} bytes after the message", pos);
        }
        return (control, payload);
    }

    // Pass-through terms always carry the version byte; the reader would also accept a bare tag.
    private static void RequireVersion(ReadOnlySpan<byte> frame, int pos)
    {
        if (frame[pos] != EtfReader.VersionByte)
        {
            throw new EtfFormatException("term without version byte 131", pos);
        }
    }
}

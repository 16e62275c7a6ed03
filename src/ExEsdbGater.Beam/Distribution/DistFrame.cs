using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Distribution;

/// <summary>Pass-through frames: 112, control term, optional message term (each with the 131 version byte).</summary>
internal static class DistFrame
{
    public const byte PassThrough = 112;
    private const byte Version = 131;

    /// <summary>The whole frame with its 4-byte length prefix.</summary>
    public static byte[] Encode(Term control, Term? payload)
    {
        var o = new List<byte>(64) { 0, 0, 0, 0, PassThrough, Version };
        StopgapEtf.Write(o, control);
        if (payload is not null)
        {
            o.Add(Version);
            StopgapEtf.Write(o, payload);
        }
        var len = o.Count - 4;
        o[0] = (byte)(len >> 24);
        o[1] = (byte)(len >> 16);
        o[2] = (byte)(len >> 8);
        o[3] = (byte)len;
        return [.. o];
    }

    /// <summary>Decodes a frame body (without length). Throws <see cref="FormatException"/> naming the problem.</summary>
    public static (Terms.Tuple Control, Term? Payload) Decode(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 2 || frame[0] != PassThrough)
        {
            throw new FormatException(frame.Length == 0 ? "empty frame" : $"frame type {frame[0]} is not pass-through (112)");
        }
        var pos = 1;
        var control = ReadTerm(frame, ref pos) as Terms.Tuple ?? throw new FormatException("control message is not a tuple");
        if (control.Arity < 1 || control[0] is not Integer)
        {
            throw new FormatException("control message does not start with an operation number");
        }
        Term? payload = null;
        if (pos < frame.Length)
        {
            payload = ReadTerm(frame, ref pos);
        }
        if (pos != frame.Length)
        {
            throw new FormatException($"{frame.Length - pos} bytes after the message");
        }
        return (control, payload);
    }

    private static Term ReadTerm(ReadOnlySpan<byte> s, ref int pos)
    {
        if (pos >= s.Length || s[pos] != Version)
        {
            throw new FormatException("term without version byte 131");
        }
        pos++;
        return StopgapEtf.Read(s, ref pos);
    }
}

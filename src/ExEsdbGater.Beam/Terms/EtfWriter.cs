using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// Encodes terms exactly as OTP's <c>term_to_binary/1</c> does, with atoms per <see cref="AtomEncoding"/>: integers
/// as SMALL_INTEGER / INTEGER / SMALL_BIG / LARGE_BIG by size, floats as NEW_FLOAT, proper lists of at most 65535
/// bytes (0..255) as STRING_EXT, tuples SMALL/LARGE by arity, maps with pairs in their stored order, pids as
/// NEW_PID, ports as NEW_PORT (V4_PORT when the id needs more than 32 bits), references as NEWER_REFERENCE and
/// opaque terms as their bytes.
/// </summary>
/// <remarks>
/// Two passes: <see cref="GetSize"/> measures, then the bytes are written into a span of exactly that size, so callers
/// can write into a rented or pre-sized buffer.
/// </remarks>
internal static class EtfWriter
{
    private const int MaxStringLength = 65535;

    /// <summary>term_to_binary: the version byte 131 followed by the term.</summary>
    public static byte[] ToBinary(Term term, AtomEncoding atoms = AtomEncoding.Utf8)
    {
        ArgumentNullException.ThrowIfNull(term);
        var bytes = new byte[1 + GetSize(term, atoms)];
        bytes[0] = EtfReader.VersionByte;
        Write(bytes.AsSpan(1), term, atoms);
        return bytes;
    }

    /// <summary>Writes the term to <paramref name="output"/>, preceded by the version byte when asked.</summary>
    /// <returns>The bytes written.</returns>
    public static int Write(IBufferWriter<byte> output, Term term, AtomEncoding atoms = AtomEncoding.Utf8, bool versionByte = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(term);
        var size = GetSize(term, atoms) + (versionByte ? 1 : 0);
        var span = output.GetSpan(size)[..size];
        if (versionByte)
        {
            span[0] = EtfReader.VersionByte;
        }
        Write(span[(versionByte ? 1 : 0)..], term, atoms);
        output.Advance(size);
        return size;
    }

    /// <summary>The size of the term's encoding, without the version byte.</summary>
    public static int GetSize(Term term, AtomEncoding atoms = AtomEncoding.Utf8)
    {
        ArgumentNullException.ThrowIfNull(term);
        var size = Measure(term, atoms);
        return size > int.MaxValue - 1 ? throw new ArgumentException("the term's encoding exceeds 2 GiB", nameof(term)) : (int)size;
    }

    /// <summary>Writes the term without the version byte into <paramref name="destination"/>, which must hold <see cref="GetSize"/> bytes.</summary>
    /// <returns>The bytes written.</returns>
    public static int Write(Span<byte> destination, Term term, AtomEncoding atoms = AtomEncoding.Utf8)
    {
        ArgumentNullException.ThrowIfNull(term);
        var pos = 0;
        WriteTerm(destination, ref pos, term, atoms);
        return pos;
    }

    private static long Measure(Term term, AtomEncoding atoms)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (term)
        {
            case Atom a:
                return AtomSize(a, atoms);
            case Integer i:
                return IntegerSize(i.Value);
            case Float:
                return 9;
            case Binary b:
                return (b.IsBitString ? 6 : 5) + b.Bytes.Length;
            case List l:
                if (l.IsEmpty)
                {
                    return 1;
                }
                if (IsString(l))
                {
                    return 3 + l.Elements.Count;
                }
                long listSize = 5 + Measure(l.Tail, atoms);
                foreach (var e in l.Elements)
                {
                    listSize += Measure(e, atoms);
                }
                return listSize;
            case Tuple t:
                long tupleSize = t.Arity <= 255 ? 2 : 5;
                foreach (var e in t.Elements)
                {
                    tupleSize += Measure(e, atoms);
                }
                return tupleSize;
            case Map m:
                long mapSize = 5;
                foreach (var (k, v) in m.Pairs)
                {
                    mapSize += Measure(k, atoms) + Measure(v, atoms);
                }
                return mapSize;
            case Pid p:
                return 1 + AtomSize(p.Node, atoms) + 12;
            case Port p:
                return 1 + AtomSize(p.Node, atoms) + (p.Id > uint.MaxValue ? 12 : 8);
            case Reference r:
                return 3 + AtomSize(r.Node, atoms) + 4 + (4 * r.Ids.Count);
            case Opaque o:
                long opaqueSize = o.Tag == Opaque.FunTag ? 5 + o.Fixed.Length : 1;
                foreach (var e in o.Terms)
                {
                    opaqueSize += Measure(e, atoms);
                }
                return opaqueSize;
            default:
                throw new ArgumentException($"cannot encode a {term.GetType().Name}", nameof(term));
        }
    }

    private static void WriteTerm(Span<byte> d, ref int pos, Term term, AtomEncoding atoms)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (term)
        {
            case Atom a:
                WriteAtom(d, ref pos, a, atoms);
                break;
            case Integer i:
                WriteInteger(d, ref pos, i.Value);
                break;
            case Float f:
                d[pos++] = 70;
                BinaryPrimitives.WriteDoubleBigEndian(d[pos..], f.Value);
                pos += 8;
                break;
            case Binary b:
                d[pos++] = b.IsBitString ? (byte)77 : (byte)109;
                BinaryPrimitives.WriteInt32BigEndian(d[pos..], b.Bytes.Length);
                pos += 4;
                if (b.IsBitString)
                {
                    d[pos++] = (byte)b.TrailingBits;
                }
                b.Bytes.Span.CopyTo(d[pos..]);
                pos += b.Bytes.Length;
                break;
            case List l:
                WriteList(d, ref pos, l, atoms);
                break;
            case Tuple t:
                if (t.Arity <= 255)
                {
                    d[pos++] = 104;
                    d[pos++] = (byte)t.Arity;
                }
                else
                {
                    d[pos++] = 105;
                    BinaryPrimitives.WriteInt32BigEndian(d[pos..], t.Arity);
                    pos += 4;
                }
                foreach (var e in t.Elements)
                {
                    WriteTerm(d, ref pos, e, atoms);
                }
                break;
            case Map m:
                d[pos++] = 116;
                BinaryPrimitives.WriteInt32BigEndian(d[pos..], m.Count);
                pos += 4;
                foreach (var (k, v) in m.Pairs)
                {
                    WriteTerm(d, ref pos, k, atoms);
                    WriteTerm(d, ref pos, v, atoms);
                }
                break;
            case Pid p:
                d[pos++] = 88;
                WriteAtom(d, ref pos, p.Node, atoms);
                WriteUInt32(d, ref pos, p.Id);
                WriteUInt32(d, ref pos, p.Serial);
                WriteUInt32(d, ref pos, p.Creation);
                break;
            case Port p:
                var v4 = p.Id > uint.MaxValue;
                d[pos++] = v4 ? (byte)120 : (byte)89;
                WriteAtom(d, ref pos, p.Node, atoms);
                if (v4)
                {
                    BinaryPrimitives.WriteUInt64BigEndian(d[pos..], p.Id);
                    pos += 8;
                }
                else
                {
                    WriteUInt32(d, ref pos, (uint)p.Id);
                }
                WriteUInt32(d, ref pos, p.Creation);
                break;
            case Reference r:
                d[pos++] = 90;
                BinaryPrimitives.WriteUInt16BigEndian(d[pos..], (ushort)r.Ids.Count);
                pos += 2;
                WriteAtom(d, ref pos, r.Node, atoms);
                WriteUInt32(d, ref pos, r.Creation);
                foreach (var id in r.Ids)
                {
                    WriteUInt32(d, ref pos, id);
                }
                break;
            case Opaque o:
                WriteOpaque(d, ref pos, o, atoms);
                break;
            default:
                throw new ArgumentException($"cannot encode a {term.GetType().Name}", nameof(term));
        }
    }

    private static void WriteOpaque(Span<byte> d, ref int pos, Opaque o, AtomEncoding atoms)
    {
        var start = pos;
        d[pos++] = o.Tag;
        if (o.Tag == Opaque.FunTag)
        {
            pos += 4; // Size, filled in below
            o.Fixed.Span.CopyTo(d[pos..]);
            pos += o.Fixed.Length;
        }
        foreach (var e in o.Terms)
        {
            WriteTerm(d, ref pos, e, atoms);
        }
        if (o.Tag == Opaque.FunTag)
        {
            BinaryPrimitives.WriteInt32BigEndian(d[(start + 1)..], pos - start - 1);
        }
    }

    private static void WriteList(Span<byte> d, ref int pos, List l, AtomEncoding atoms)
    {
        if (l.IsEmpty)
        {
            d[pos++] = 106;
            return;
        }
        if (IsString(l))
        {
            d[pos++] = 107;
            BinaryPrimitives.WriteUInt16BigEndian(d[pos..], (ushort)l.Elements.Count);
            pos += 2;
            foreach (var e in l.Elements)
            {
                d[pos++] = (byte)((Integer)e).Value;
            }
            return;
        }
        d[pos++] = 108;
        BinaryPrimitives.WriteInt32BigEndian(d[pos..], l.Elements.Count);
        pos += 4;
        foreach (var e in l.Elements)
        {
            WriteTerm(d, ref pos, e, atoms);
        }
        WriteTerm(d, ref pos, l.Tail, atoms);
    }

    // term_to_binary writes a proper list of bytes, up to 65535 of them, as STRING_EXT.
    private static bool IsString(List l)
    {
        if (!l.IsProper || l.Elements.Count > MaxStringLength)
        {
            return false;
        }
        foreach (var e in l.Elements)
        {
            if (e is not Integer i || i.Value < 0 || i.Value > 255)
            {
                return false;
            }
        }
        return true;
    }

    private static long AtomSize(Atom a, AtomEncoding atoms)
    {
        if (atoms == AtomEncoding.Latin1 && a.IsLatin1)
        {
            return 3 + a.Name.Length;
        }
        var n = a.Utf8Name.Length;
        return n < 256 ? 2 + n : 3 + n;
    }

    private static void WriteAtom(Span<byte> d, ref int pos, Atom a, AtomEncoding atoms)
    {
        if (atoms == AtomEncoding.Latin1 && a.IsLatin1)
        {
            d[pos++] = 100;
            BinaryPrimitives.WriteUInt16BigEndian(d[pos..], (ushort)a.Name.Length);
            pos += 2;
            pos += Encoding.Latin1.GetBytes(a.Name, d[pos..]);
            return;
        }
        var utf8 = a.Utf8Name;
        if (utf8.Length < 256)
        {
            d[pos++] = 119;
            d[pos++] = (byte)utf8.Length;
        }
        else
        {
            d[pos++] = 118;
            BinaryPrimitives.WriteUInt16BigEndian(d[pos..], (ushort)utf8.Length);
            pos += 2;
        }
        utf8.CopyTo(d[pos..]);
        pos += utf8.Length;
    }

    private static long IntegerSize(BigInteger v)
    {
        if (v >= 0 && v <= 255)
        {
            return 2;
        }
        if (v >= int.MinValue && v <= int.MaxValue)
        {
            return 5;
        }
        var n = BigInteger.Abs(v).GetByteCount(isUnsigned: true);
        return n <= 255 ? 3 + n : 6 + n;
    }

    private static void WriteInteger(Span<byte> d, ref int pos, BigInteger v)
    {
        if (v >= 0 && v <= 255)
        {
            d[pos++] = 97;
            d[pos++] = (byte)v;
            return;
        }
        if (v >= int.MinValue && v <= int.MaxValue)
        {
            d[pos++] = 98;
            BinaryPrimitives.WriteInt32BigEndian(d[pos..], (int)v);
            pos += 4;
            return;
        }
        var magnitude = BigInteger.Abs(v);
        var n = magnitude.GetByteCount(isUnsigned: true);
        if (n <= 255)
        {
            d[pos++] = 110;
            d[pos++] = (byte)n;
        }
        else
        {
            d[pos++] = 111;
            BinaryPrimitives.WriteInt32BigEndian(d[pos..], n);
            pos += 4;
        }
        d[pos++] = v.Sign < 0 ? (byte)1 : (byte)0;
        magnitude.TryWriteBytes(d.Slice(pos, n), out var written, isUnsigned: true, isBigEndian: false);
        pos += written;
    }

    private static void WriteUInt32(Span<byte> d, ref int pos, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(d[pos..], value);
        pos += 4;
    }
}

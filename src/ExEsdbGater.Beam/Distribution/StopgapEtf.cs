using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Distribution;

/// <summary>Temporary minimal term codec for control messages until the ETF codec lands (deleted then).</summary>
internal static class StopgapEtf
{
    public static void Write(List<byte> o, Term t)
    {
        switch (t)
        {
            case Atom a:
                var ab = Encoding.UTF8.GetBytes(a.Name);
                if (ab.Length < 256) { o.Add(119); o.Add((byte)ab.Length); }
                else { o.Add(118); U16(o, ab.Length); }
                o.AddRange(ab);
                break;
            case Integer i when i.Value >= 0 && i.Value < 256:
                o.Add(97); o.Add((byte)(int)i.Value);
                break;
            case Integer i when i.Value >= int.MinValue && i.Value <= int.MaxValue:
                o.Add(98); U32(o, (uint)(int)i.Value);
                break;
            case Integer i:
                var mag = BigInteger.Abs(i.Value).ToByteArray(isUnsigned: true, isBigEndian: false);
                o.Add(110); o.Add((byte)mag.Length); o.Add(i.Value.Sign < 0 ? (byte)1 : (byte)0); o.AddRange(mag);
                break;
            case Terms.Tuple tu:
                if (tu.Arity < 256) { o.Add(104); o.Add((byte)tu.Arity); } else { o.Add(105); U32(o, (uint)tu.Arity); }
                foreach (var e in tu.Elements) { Write(o, e); }
                break;
            case Terms.List l when l.IsEmpty && l.IsProper:
                o.Add(106);
                break;
            case Terms.List l:
                o.Add(108); U32(o, (uint)l.Elements.Count);
                foreach (var e in l.Elements) { Write(o, e); }
                Write(o, l.Tail);
                break;
            case Binary b:
                o.Add(109); U32(o, (uint)b.Bytes.Length); o.AddRange(b.Bytes.ToArray());
                break;
            case Pid p:
                o.Add(88); Write(o, p.Node); U32(o, p.Id); U32(o, p.Serial); U32(o, p.Creation);
                break;
            case Reference r:
                o.Add(90); U16(o, r.Ids.Count); Write(o, r.Node); U32(o, r.Creation);
                foreach (var id in r.Ids) { U32(o, id); }
                break;
            case Float f:
                o.Add(70); var fb = new byte[8]; BinaryPrimitives.WriteDoubleBigEndian(fb, f.Value); o.AddRange(fb);
                break;
            case Map m:
                o.Add(116); U32(o, (uint)m.Count);
                foreach (var kv in m.Pairs) { Write(o, kv.Key); Write(o, kv.Value); }
                break;
            default:
                throw new ArgumentException("stopgap codec cannot encode " + t.GetType().Name);
        }
    }

    private static void U16(List<byte> o, int v) { o.Add((byte)(v >> 8)); o.Add((byte)v); }

    private static void U32(List<byte> o, uint v) { o.Add((byte)(v >> 24)); o.Add((byte)(v >> 16)); o.Add((byte)(v >> 8)); o.Add((byte)v); }

    /// <summary>Decodes one term (no version byte) at <paramref name="pos"/>; throws FormatException on bad input.</summary>
    public static Term Read(ReadOnlySpan<byte> s, ref int pos, int depth = 0)
    {
        if (depth > 64) { throw new FormatException("too deep"); }
        var tag = Take(s, ref pos, 1)[0];
        switch (tag)
        {
            case 97: return new Integer(Take(s, ref pos, 1)[0]);
            case 98: return new Integer(BinaryPrimitives.ReadInt32BigEndian(Take(s, ref pos, 4)));
            case 110:
            {
                int n = Take(s, ref pos, 1)[0]; var sign = Take(s, ref pos, 1)[0];
                var v = new BigInteger(Take(s, ref pos, n), isUnsigned: true, isBigEndian: false);
                return new Integer(sign == 0 ? v : -v);
            }
            case 70: return new Float(BinaryPrimitives.ReadDoubleBigEndian(Take(s, ref pos, 8)));
            case 100 or 118: { int n = BinaryPrimitives.ReadUInt16BigEndian(Take(s, ref pos, 2)); return AtomOf(tag, Take(s, ref pos, n)); }
            case 115 or 119: { int n = Take(s, ref pos, 1)[0]; return AtomOf(tag, Take(s, ref pos, n)); }
            case 104 or 105:
            {
                var n = tag == 104 ? Take(s, ref pos, 1)[0] : checked((int)BinaryPrimitives.ReadUInt32BigEndian(Take(s, ref pos, 4)));
                if (n > s.Length - pos) { throw new FormatException("tuple arity beyond frame"); }
                var els = new Term[n];
                for (var i = 0; i < n; i++) { els[i] = Read(s, ref pos, depth + 1); }
                return new Terms.Tuple(els);
            }
            case 106: return Terms.List.Empty;
            case 107:
            {
                int n = BinaryPrimitives.ReadUInt16BigEndian(Take(s, ref pos, 2));
                var bytes = Take(s, ref pos, n);
                var els = new Term[n];
                for (var i = 0; i < n; i++) { els[i] = new Integer(bytes[i]); }
                return new Terms.List(els);
            }
            case 108:
            {
                var n = checked((int)BinaryPrimitives.ReadUInt32BigEndian(Take(s, ref pos, 4)));
                if (n > s.Length - pos) { throw new FormatException("list length beyond frame"); }
                var els = new Term[n];
                for (var i = 0; i < n; i++) { els[i] = Read(s, ref pos, depth + 1); }
                var tail = Read(s, ref pos, depth + 1);
                return tail is Terms.List { IsEmpty: true, IsProper: true } ? new Terms.List(els) : new Terms.List(els, tail);
            }
            case 109:
            {
                var n = checked((int)BinaryPrimitives.ReadUInt32BigEndian(Take(s, ref pos, 4)));
                return new Binary(Take(s, ref pos, n).ToArray());
            }
            case 88:
            {
                var node = Read(s, ref pos, depth + 1) as Atom ?? throw new FormatException("pid node not an atom");
                var b = Take(s, ref pos, 12);
                return new Pid(node, BinaryPrimitives.ReadUInt32BigEndian(b), BinaryPrimitives.ReadUInt32BigEndian(b[4..]), BinaryPrimitives.ReadUInt32BigEndian(b[8..]));
            }
            case 90:
            {
                int n = BinaryPrimitives.ReadUInt16BigEndian(Take(s, ref pos, 2));
                if (n is < 1 or > 5) { throw new FormatException("bad reference length"); }
                var node = Read(s, ref pos, depth + 1) as Atom ?? throw new FormatException("ref node not an atom");
                var cr = BinaryPrimitives.ReadUInt32BigEndian(Take(s, ref pos, 4));
                var ids = new uint[n];
                for (var i = 0; i < n; i++) { ids[i] = BinaryPrimitives.ReadUInt32BigEndian(Take(s, ref pos, 4)); }
                return new Reference(node, cr, ids);
            }
            case 116:
            {
                var n = checked((int)BinaryPrimitives.ReadUInt32BigEndian(Take(s, ref pos, 4)));
                if (n > s.Length - pos) { throw new FormatException("map size beyond frame"); }
                var pairs = new KeyValuePair<Term, Term>[n];
                for (var i = 0; i < n; i++) { pairs[i] = new(Read(s, ref pos, depth + 1), Read(s, ref pos, depth + 1)); }
                return new Map(pairs);
            }
            default: throw new FormatException($"stopgap codec: unsupported tag {tag}");
        }
    }

    private static Atom AtomOf(byte tag, ReadOnlySpan<byte> b)
        => Atom.Of(tag is 100 or 115 ? Encoding.Latin1.GetString(b) : Encoding.UTF8.GetString(b));

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> s, ref int pos, int n)
    {
        if (n < 0 || n > s.Length - pos) { throw new FormatException("truncated term"); }
        var r = s.Slice(pos, n);
        pos += n;
        return r;
    }
}

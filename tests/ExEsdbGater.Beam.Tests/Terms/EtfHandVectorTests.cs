using System.Numerics;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Tests.Terms;

/// <summary>
/// Encodings derived by hand from erl_ext_dist for what OTP 25 cannot produce here: OTP 26's UTF-8 atoms in pids,
/// ports and references, 64-bit ports (V4_PORT_EXT), and the older tags a peer may still send (PID_EXT, PORT_EXT,
/// REFERENCE_EXT, NEW_REFERENCE_EXT, SMALL_ATOM_EXT, FLOAT_EXT).
/// </summary>
public sealed class EtfHandVectorTests
{
    private static readonly Atom Node = Atom.Of("a@b");

    public static TheoryData<string, string, string> Written => new()
    {
        // {ok, 'é'}: OTP 25 writes latin-1 atoms as ATOM_EXT (100, 2-byte length); OTP 26 as SMALL_ATOM_UTF8_EXT.
        { "tuple with latin-1 atom", "8368026400026f6b640001e9", "83680277026f6b7702c3a9" },
        // '日': not latin-1, so SMALL_ATOM_UTF8_EXT in both.
        { "non-latin-1 atom", "8377 03 e697a5", "8377 03 e697a5" },
        // NEW_PID_EXT(88): node, id, serial, creation (4 bytes each).
        { "pid", "8358 640003 614062 00000001 00000002 00000003", "8358 7703 614062 00000001 00000002 00000003" },
        // NEW_PORT_EXT(89) for a 32-bit id; V4_PORT_EXT(120) with an 8-byte id above it.
        { "port", "8359 640003 614062 00000005 00000007", "8359 7703 614062 00000005 00000007" },
        { "v4 port", "8378 640003 614062 0000010000000000 00000007", "8378 7703 614062 0000010000000000 00000007" },
        // NEWER_REFERENCE_EXT(90): word count (2 bytes), node, creation (4), words.
        { "reference", "835a 0003 640003 614062 00000007 00000001 00000002 00000003", "835a 0003 7703 614062 00000007 00000001 00000002 00000003" },
        // -1 is INTEGER_EXT; 2^32 a SMALL_BIG_EXT of 5 little-endian bytes; -2^32 the same with sign 1.
        { "integers", "836c00000003 62ffffffff 6e05000000000001 6e05010000000001 6a", "836c00000003 62ffffffff 6e05000000000001 6e05010000000001 6a" },
        // NEW_FLOAT_EXT: IEEE 754 big-endian; -0.0 keeps its sign bit.
        { "floats", "836c00000002 463ff8000000000000 468000000000000000 6a", "836c00000002 463ff8000000000000 468000000000000000 6a" },
        // "ab" as STRING_EXT; [a | b] as LIST_EXT with an atom tail; #{} as MAP_EXT of 0 pairs.
        { "string, improper list, empty map", "8368036b00026162 6c00000001 640001616400016274000000 00", "8368036b00026162 6c00000001 7701617701627400000000" },
        // <<1:3>>: BIT_BINARY_EXT with 3 bits of its one byte.
        { "bitstring", "834d0000000103 20", "834d0000000103 20" },
    };

    [Theory]
    [MemberData(nameof(Written))]
    public void Hand_derived_encodings_decode_to_one_term_and_reencode_exactly(string what, string latin1Hex, string utf8Hex)
    {
        var latin1 = Hex(latin1Hex);
        var utf8 = Hex(utf8Hex);
        var term = EtfReader.Decode(latin1);
        Assert.Equal(term, EtfReader.Decode(utf8));
        Assert.True(latin1.AsSpan().SequenceEqual(EtfWriter.ToBinary(term, AtomEncoding.Latin1)), what);
        Assert.True(utf8.AsSpan().SequenceEqual(EtfWriter.ToBinary(term, AtomEncoding.Utf8)), what);
    }

    [Fact]
    public void Hand_derived_terms_are_what_the_bytes_say()
    {
        Assert.Equal(new Tuple(Atom.Of("ok"), Atom.Of("é")), EtfReader.Decode(Hex("83680277026f6b7702c3a9")));
        Assert.Equal(new Pid(Node, 1, 2, 3), EtfReader.Decode(Hex("8358 7703 614062 00000001 00000002 00000003")));
        Assert.Equal(new Port(Node, 1UL << 40, 7), EtfReader.Decode(Hex("8378 7703 614062 0000010000000000 00000007")));
        Assert.Equal(new Reference(Node, 7, [1, 2, 3]), EtfReader.Decode(Hex("835a 0003 7703 614062 00000007 00000001 00000002 00000003")));
        Assert.Equal(
            new List([new Integer(-1), new Integer(BigInteger.One << 32), new Integer(-(BigInteger.One << 32))]),
            EtfReader.Decode(Hex("836c00000003 62ffffffff 6e05000000000001 6e05010000000001 6a")));
        var floats = Assert.IsType<List>(EtfReader.Decode(Hex("836c00000002 463ff8000000000000 468000000000000000 6a")));
        Assert.True(double.IsNegative(((Float)floats.Elements[1]).Value));
    }

    public static TheoryData<string, string, string> OldTags => new()
    {
        // PID_EXT(103): creation is 1 byte.
        { "PID_EXT", "8367 640003 614062 00000001 00000002 03", "8358 7703 614062 00000001 00000002 00000003" },
        // PORT_EXT(102): id 4 bytes, creation 1 byte.
        { "PORT_EXT", "8366 640003 614062 00000005 07", "8359 7703 614062 00000005 00000007" },
        // REFERENCE_EXT(101): node, one id word, creation 1 byte.
        { "REFERENCE_EXT", "8365 640003 614062 00000009 07", "835a 0001 7703 614062 00000007 00000009" },
        // NEW_REFERENCE_EXT(114): like NEWER_REFERENCE_EXT with a 1-byte creation.
        { "NEW_REFERENCE_EXT", "8372 0002 640003 614062 07 00000001 00000002", "835a 0002 7703 614062 00000007 00000001 00000002" },
        // SMALL_ATOM_EXT(115): latin-1 with a 1-byte length.
        { "SMALL_ATOM_EXT", "8373 02 6f6b", "8377 02 6f6b" },
        // ATOM_UTF8_EXT(118) for a short name.
        { "ATOM_UTF8_EXT", "8376 0002 6f6b", "8377 02 6f6b" },
        // FLOAT_EXT(99): "%.20e" text in 31 bytes, NUL padded.
        { "FLOAT_EXT", "8363" + Convert.ToHexString("1.50000000000000000000e+00"u8) + "0000000000", "83463ff8000000000000" },
        // LIST_EXT of bytes is STRING_EXT when written back; a list whose tail is a list is one list.
        { "LIST_EXT of bytes", "836c00000002 6101 6102 6a", "836b00020102" },
        { "nested tail", "836c00000001 6101 6c00000001 6102 6a", "836b00020102" },
        // SMALL_BIG_EXT of a value that fits INTEGER_EXT is written back as INTEGER_EXT.
        { "small big", "836e0400 00010000", "836200000100" },
    };

    [Theory]
    [MemberData(nameof(OldTags))]
    public void Older_tags_decode_to_the_term_written_with_current_tags(string what, string receivedHex, string canonicalUtf8Hex)
    {
        var term = EtfReader.Decode(Hex(receivedHex));
        Assert.True(Hex(canonicalUtf8Hex).AsSpan().SequenceEqual(EtfWriter.ToBinary(term, AtomEncoding.Utf8)), $"{what}: {term}");
    }

    internal static byte[] Hex(string spaced) => Convert.FromHexString(spaced.Replace(" ", "", StringComparison.Ordinal));
}

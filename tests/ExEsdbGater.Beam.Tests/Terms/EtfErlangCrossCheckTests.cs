using System.Numerics;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Tests.Terms;

/// <summary>
/// The codec against the installed Erlang's term_to_binary, for the cases the 36 message vectors do not cover:
/// non-latin-1 and long atoms, every integer size, floats, bitstrings, strings against lists, improper lists, large
/// tuples, maps, pids, ports, references, funs, and compression.
/// </summary>
public sealed class EtfErlangCrossCheckTests
{
    private static readonly Atom NoNode = Atom.Of("nonode@nohost");

    private static readonly (string Expression, Term? Expected)[] Cases =
    [
        ("ok", Atom.Of("ok")),
        ("''", Atom.Of("")),
        ("list_to_atom([104,233,108,108,111])", Atom.Of("héllo")),
        ("list_to_atom([26085,26412])", Atom.Of("日本")),
        ("list_to_atom(lists:duplicate(100,26085))", Atom.Of(new string('日', 100))),
        ("list_to_atom(lists:duplicate(255,233))", Atom.Of(new string('é', 255))),
        ("list_to_atom(lists:duplicate(255,$a))", Atom.Of(new string('a', 255))),
        ("0", new Integer(0)),
        ("255", new Integer(255)),
        ("256", new Integer(256)),
        ("-1", new Integer(-1)),
        ("2147483647", new Integer(int.MaxValue)),
        ("2147483648", new Integer(2147483648L)),
        ("-2147483648", new Integer(int.MinValue)),
        ("-2147483649", new Integer(-2147483649L)),
        ("1 bsl 64", new Integer(BigInteger.One << 64)),
        ("-(1 bsl 64)", new Integer(-(BigInteger.One << 64))),
        ("1 bsl 2039", new Integer(BigInteger.One << 2039)),
        ("1 bsl 2040", new Integer(BigInteger.One << 2040)),
        ("-(1 bsl 2040)", new Integer(-(BigInteger.One << 2040))),
        ("1.5", new Float(1.5)),
        ("1.0e300", new Float(1.0e300)),
        ("-2.5e-300", new Float(-2.5e-300)),
        ("3.141592653589793", new Float(Math.PI)),
        ("0.0", new Float(0.0)),
        ("<<>>", new Binary(Array.Empty<byte>())),
        ("<<1,2,3>>", new Binary(new byte[] { 1, 2, 3 })),
        ("<<1:3>>", new Binary(new byte[] { 0x20 }, 3)),
        ("<<255,5:5>>", new Binary(new byte[] { 255, 0x28 }, 5)),
        ("list_to_binary(lists:duplicate(300,120))", new Binary(Enumerable.Repeat((byte)120, 300).ToArray())),
        ("[]", List.Empty),
        ("[1,2,3]", Ints(1, 2, 3)),
        ("[0,255]", Ints(0, 255)),
        ("[256]", Ints(256)),
        ("[-1]", Ints(-1)),
        ("[a,b]", new List([Atom.Of("a"), Atom.Of("b")])),
        ("[1|2]", new List([new Integer(1)], new Integer(2))),
        ("[a,b|c]", new List([Atom.Of("a"), Atom.Of("b")], Atom.Of("c"))),
        ("[1,2|<<>>]", new List([new Integer(1), new Integer(2)], new Binary(Array.Empty<byte>()))),
        ("lists:duplicate(65535,7)", Ints(Enumerable.Repeat(7, 65535).ToArray())),
        ("lists:duplicate(65536,7)", Ints(Enumerable.Repeat(7, 65536).ToArray())),
        ("[[]]", new List([List.Empty])),
        ("[[1],[2,300]]", new List([Ints(1), Ints(2, 300)])),
        ("{}", new Tuple()),
        ("{a,1}", new Tuple(Atom.Of("a"), new Integer(1))),
        ("list_to_tuple(lists:seq(1,255))", new Tuple(Enumerable.Range(1, 255).Select(i => (Term)new Integer(i)).ToArray())),
        ("list_to_tuple(lists:seq(1,256))", new Tuple(Enumerable.Range(1, 256).Select(i => (Term)new Integer(i)).ToArray())),
        ("#{}", new Map([])),
        ("#{a=>1,b=>[x]}", new Map([new(Atom.Of("a"), new Integer(1)), new(Atom.Of("b"), new List([Atom.Of("x")]))])),
        ("#{<<\"k\">> => #{1 => 2.0}}", new Map([new(Binary.Utf8("k"), new Map([new(new Integer(1), new Float(2.0))]))])),
        ("maps:from_list([{K, K} || K <- lists:seq(1, 40)])", null),
        ("list_to_pid(\"<0.80.0>\")", new Pid(NoNode, 80, 0, 0)),
        ("list_to_port(\"#Port<0.5>\")", new Port(NoNode, 5, 0)),
        ("list_to_ref(\"#Ref<0.1.2.3>\")", new Reference(NoNode, 0, [3, 2, 1])),
        ("{self(), make_ref(), hd(erlang:ports())}", null),
        ("fun erlang:abs/1", null),
        ("fun(X) -> {X, 42} end", null),
        ("{-0.0, [x | fun lists:map/2]}", null),
    ];

    [Fact]
    public void Codec_matches_erlang_term_to_binary_in_both_atom_encodings_and_reads_its_compressed_form()
    {
        var results = ErlangTermToBinary.Run(Cases.Select(c => c.Expression).ToList());
        for (var i = 0; i < Cases.Length; i++)
        {
            var (expression, expected) = Cases[i];
            var (latin1, utf8, compressed) = results[i];
            var decoded = EtfReader.Decode(latin1);
            Assert.True(decoded.Equals(EtfReader.Decode(utf8)), expression);
            Assert.True(decoded.Equals(EtfReader.Decode(compressed)), expression);
            if (expected is not null)
            {
                Assert.True(expected.Equals(decoded), $"{expression}: decoded {decoded}");
                Assert.True(latin1.AsSpan().SequenceEqual(EtfWriter.ToBinary(expected, AtomEncoding.Latin1)), $"{expression}: latin-1 encoding");
                Assert.True(utf8.AsSpan().SequenceEqual(EtfWriter.ToBinary(expected, AtomEncoding.Utf8)), $"{expression}: utf-8 encoding");
            }
            Assert.True(latin1.AsSpan().SequenceEqual(EtfWriter.ToBinary(decoded, AtomEncoding.Latin1)), $"{expression}: latin-1 re-encoding");
            Assert.True(utf8.AsSpan().SequenceEqual(EtfWriter.ToBinary(decoded, AtomEncoding.Utf8)), $"{expression}: utf-8 re-encoding");
        }
    }

    private static List Ints(params int[] values) => new(values.Select(v => (Term)new Integer(v)).ToArray());
}

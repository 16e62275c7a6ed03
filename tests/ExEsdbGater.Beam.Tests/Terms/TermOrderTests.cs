using System.Numerics;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Tests.Terms;

/// <summary>Maps sorted in term order are encoded as an OTP 25 node re-encodes them (checked against erl).</summary>
public sealed class TermOrderTests
{
    private static readonly Term[] Keys =
    [
        new Integer(3), new Integer(-7), new Integer(BigInteger.One << 70), new Float(1.0), new Float(-2.5),
        Atom.Of("x"), Atom.Of("b"), Atom.Of("ÿ"), Atom.Of("日"), Atom.Of("__struct__"), Atom.Of("ab"), Atom.Of("a"),
        new Tuple(Atom.Of("z")), new Tuple(Atom.Of("a"), Atom.Of("b")), new Tuple(Atom.Of("a"), Atom.Of("a")),
        new Map([]), new Map([new(Atom.Of("k"), new Integer(1))]),
        List.Empty, new List([Atom.Of("a")]), new List([Atom.Of("a"), Atom.Of("b")]), new List([Atom.Of("a")], Atom.Of("t")),
        Binary.Utf8("b"), Binary.Utf8("a"), new Binary(new byte[] { 97, 0x80 }, 1), Binary.Utf8("ab"), Binary.Utf8(""),
    ];

    [Fact]
    public void Sorted_maps_encode_as_erlang_reencodes_them()
    {
        var random = new Random(7);
        var terms = new List<Term>();
        for (var n = 0; n < 30; n++)
        {
            var keys = Keys.OrderBy(_ => random.Next()).Take(random.Next(1, 27)).ToArray();
            var nested = new Map(keys.Select((k, i) => new KeyValuePair<Term, Term>(k, new Integer(i))).ToArray());
            terms.Add(new Tuple(Atom.Of("tag"), new Map([new(Atom.Of("z"), nested), new(Atom.Of("a"), new List([nested]))])));
        }
        var sorted = terms.Select(TermOrder.SortMaps).ToList();
        var ours = sorted.Select(t => EtfWriter.ToBinary(t, AtomEncoding.Latin1)).ToList();
        var theirs = ErlangTermToBinary.Reencode(ours, "");
        for (var i = 0; i < ours.Count; i++)
        {
            Assert.True(ours[i].AsSpan().SequenceEqual(theirs[i].Reencoded), $"case {i}: {sorted[i]}");
        }
    }

    [Fact]
    public void SortMaps_leaves_sorted_and_large_maps_alone()
    {
        var sorted = new Map([new(Atom.Of("a"), new Integer(1)), new(Atom.Of("b"), new Integer(2))]);
        Assert.Same(sorted, TermOrder.SortMaps(sorted));
        var large = new Map(Enumerable.Range(0, 40).Reverse().Select(i => new KeyValuePair<Term, Term>(new Integer(i), List.Empty)).ToArray());
        Assert.Same(large, TermOrder.SortMaps(large));
        var reversed = new Map([new(Atom.Of("b"), new Integer(2)), new(Atom.Of("a"), new Integer(1))]);
        Assert.Equal("a", ((Atom)((Map)TermOrder.SortMaps(reversed)).Pairs[0].Key).Name);
    }
}

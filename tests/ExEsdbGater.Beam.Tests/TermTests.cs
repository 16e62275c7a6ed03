namespace ExEsdbGater.Beam.Tests;

public sealed class TermTests
{
    [Fact]
    public void Lists_equal_by_elements_and_tail()
    {
        Assert.Equal(List.Empty, new List([]));
        Assert.True(new List([new Integer(1)]).IsProper);
        Assert.False(new List([new Integer(1)], new Integer(2)).IsProper);
        Assert.NotEqual<Term>(new List([new Integer(1)]), new List([new Integer(1)], new Integer(2)));
    }

    [Fact]
    public void Maps_equal_in_any_order_but_keep_their_own()
    {
        var a = new Map([new(Atom.Of("a"), new Integer(1)), new(Atom.Of("b"), new Integer(2))]);
        var b = new Map([new(Atom.Of("b"), new Integer(2)), new(Atom.Of("a"), new Integer(1))]);
        Assert.Equal<Term>(a, b);
        Assert.Equal("b", ((Atom)b.Pairs[0].Key).Name);
    }
}

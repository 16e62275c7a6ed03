using Tuple = ExEsdbGater.Beam.Terms.Tuple;

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

    [Fact]
    public void A_list_whose_tail_is_a_list_is_one_list()
    {
        var nested = new List([new Integer(1)], new List([new Integer(2)], Atom.Of("t")));
        Assert.Equal(2, nested.Elements.Count);
        Assert.Equal(Atom.Of("t"), nested.Tail);
        Assert.Equal(new List([new Integer(1), new Integer(2)]), new List([new Integer(1)], new List([new Integer(2)])));
        Assert.Throws<ArgumentException>(() => new List([], Atom.Of("t")));
    }

    [Fact]
    public void Small_integers_and_interned_atoms_are_shared()
    {
        Assert.Same(Integer.Of(7), Integer.Of(7));
        Assert.Equal(new Integer(300), Integer.Of(300));
        Assert.Same(Atom.Intern("shared_atom"), Atom.Of("shared_atom".AsSpan()));
        Assert.Equal(Atom.Of("not_interned_here"), Atom.Of("not_interned_here".AsSpan()));
        Assert.True(Atom.Of("héllo").IsLatin1);
        Assert.False(Atom.Of("日本").IsLatin1);
    }

    [Fact]
    public void Equal_maps_hash_equal_whatever_their_order()
    {
        var a = new Map([new(Atom.Of("a"), new Integer(1)), new(Atom.Of("b"), new Integer(2))]);
        var b = new Map([new(Atom.Of("b"), new Integer(2)), new(Atom.Of("a"), new Integer(1))]);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a.GetHashCode(), new Map([new(Atom.Of("a"), new Integer(2))]).GetHashCode());
    }

    [Fact]
    public void Opaque_terms_need_the_parts_of_a_fun_or_an_export()
    {
        var export = new Opaque(Opaque.ExportTag, ReadOnlyMemory<byte>.Empty, [Atom.Of("erlang"), Atom.Of("abs"), new Integer(1)]);
        Assert.Equal("fun erlang:abs/1", export.ToString());
        Assert.Throws<ArgumentException>(() => new Opaque(Opaque.ExportTag, ReadOnlyMemory<byte>.Empty, [Atom.Of("erlang"), Atom.Of("abs"), new Integer(300)]));
        Assert.Throws<ArgumentException>(() => new Opaque(Opaque.FunTag, new byte[3], [Atom.Of("m")]));
        Assert.Throws<ArgumentException>(() => new Opaque(99, ReadOnlyMemory<byte>.Empty, []));
        Assert.Equal(new Tuple(export), new Tuple(new Opaque(Opaque.ExportTag, ReadOnlyMemory<byte>.Empty, [Atom.Of("erlang"), Atom.Of("abs"), Integer.Of(1)])));
    }
}

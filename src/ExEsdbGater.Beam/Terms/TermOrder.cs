namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// Erlang's term order as the VM sorts small map keys: number &lt; atom &lt; reference &lt; fun &lt; port &lt; pid &lt;
/// tuple &lt; map &lt; [] &lt; list &lt; bitstring, with all integers before all floats (exact order, as map keys are).
/// An OTP ≤ 25 node re-encodes a small map (≤ 32 keys) in this order, so a map built here must be in it for that
/// node's signature check to reproduce our bytes.
/// </summary>
/// <remarks>
/// Pids, ports and references compare by node name then numbers, and funs by their parts: close to, not proven
/// equal to, the VM's order; they are not expected as keys of the original's messages.
/// </remarks>
internal sealed class TermOrder : IComparer<Term>
{
    /// <summary>The most pairs of a map the VM keeps sorted ("flatmap"); larger maps are hash-ordered.</summary>
    public const int MaxSortedMapSize = 32;

    public static readonly TermOrder Instance = new();

    private TermOrder()
    {
    }

    public int Compare(Term? x, Term? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }
        var rx = Rank(x);
        var ry = Rank(y);
        if (rx != ry)
        {
            return rx.CompareTo(ry);
        }
        return (x, y) switch
        {
            (Integer a, Integer b) => a.Value.CompareTo(b.Value),
            (Float a, Float b) => a.Value.CompareTo(b.Value),
            (Atom a, Atom b) => CompareAtoms(a, b),
            (Reference a, Reference b) => CompareReferences(a, b),
            (Opaque a, Opaque b) => CompareOpaques(a, b),
            (Port a, Port b) => Chain(CompareAtoms(a.Node, b.Node), a.Id.CompareTo(b.Id), a.Creation.CompareTo(b.Creation)),
            (Pid a, Pid b) => Chain(CompareAtoms(a.Node, b.Node), a.Serial.CompareTo(b.Serial), a.Id.CompareTo(b.Id), a.Creation.CompareTo(b.Creation)),
            (Tuple a, Tuple b) => a.Arity != b.Arity ? a.Arity.CompareTo(b.Arity) : CompareSequences(a.Elements, b.Elements),
            (Map a, Map b) => CompareMaps(a, b),
            (List a, List b) => CompareLists(a, b),
            (Binary a, Binary b) => CompareBinaries(a, b),
            _ => 0,
        };
    }

    /// <summary>
    /// The term with every map of at most <see cref="MaxSortedMapSize"/> pairs, at any depth, in term order: how an
    /// OTP ≤ 25 node would encode it. Returns the same instance when nothing needed sorting.
    /// </summary>
    public static Term SortMaps(Term term)
    {
        ArgumentNullException.ThrowIfNull(term);
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (term)
        {
            case Tuple t:
                var elements = SortAll(t.Elements);
                return elements is null ? t : new Tuple(elements);
            case List { IsEmpty: false } l:
                var items = SortAll(l.Elements);
                var tail = SortMaps(l.Tail);
                return items is null && ReferenceEquals(tail, l.Tail) ? l : new List(items ?? l.Elements, tail);
            case Map m:
                var changed = false;
                var pairs = new KeyValuePair<Term, Term>[m.Count];
                for (var i = 0; i < pairs.Length; i++)
                {
                    var (k, v) = m.Pairs[i];
                    var sk = SortMaps(k);
                    var sv = SortMaps(v);
                    changed |= !ReferenceEquals(sk, k) || !ReferenceEquals(sv, v);
                    pairs[i] = new(sk, sv);
                }
                if (pairs.Length <= MaxSortedMapSize && !IsSorted(pairs))
                {
                    Array.Sort(pairs, (a, b) => Instance.Compare(a.Key, b.Key));
                    changed = true;
                }
                return changed ? new Map(pairs) : m;
            default:
                return term;
        }
    }

    private static Term[]? SortAll(IReadOnlyList<Term> terms)
    {
        Term[]? result = null;
        for (var i = 0; i < terms.Count; i++)
        {
            var sorted = SortMaps(terms[i]);
            if (!ReferenceEquals(sorted, terms[i]) && result is null)
            {
                result = [.. terms];
            }
            if (result is not null)
            {
                result[i] = sorted;
            }
        }
        return result;
    }

    private static bool IsSorted(KeyValuePair<Term, Term>[] pairs)
    {
        for (var i = 1; i < pairs.Length; i++)
        {
            if (Instance.Compare(pairs[i - 1].Key, pairs[i].Key) > 0)
            {
                return false;
            }
        }
        return true;
    }

    private static int Rank(Term t) => t switch
    {
        Integer => 0,
        Float => 1,
        Atom => 2,
        Reference => 3,
        Opaque => 4,
        Port => 5,
        Pid => 6,
        Tuple => 7,
        Map => 8,
        List { IsEmpty: true } => 9,
        List => 10,
        Binary => 11,
        _ => 12,
    };

    // Atoms compare by their text; UTF-8 byte order is code point order.
    private static int CompareAtoms(Atom a, Atom b) => ReferenceEquals(a, b) ? 0 : a.Utf8Name.SequenceCompareTo(b.Utf8Name);

    private static int CompareReferences(Reference a, Reference b)
    {
        var c = CompareAtoms(a.Node, b.Node);
        if (c != 0)
        {
            return c;
        }
        if (a.Ids.Count != b.Ids.Count)
        {
            return a.Ids.Count.CompareTo(b.Ids.Count);
        }
        // The most significant word is the last.
        for (var i = a.Ids.Count - 1; i >= 0; i--)
        {
            if (a.Ids[i] != b.Ids[i])
            {
                return a.Ids[i].CompareTo(b.Ids[i]);
            }
        }
        return a.Creation.CompareTo(b.Creation);
    }

    private static int CompareOpaques(Opaque a, Opaque b)
        => Chain(a.Tag.CompareTo(b.Tag), a.Fixed.Span.SequenceCompareTo(b.Fixed.Span), a.Terms.Count.CompareTo(b.Terms.Count), CompareSequences(a.Terms, b.Terms));

    private static int CompareMaps(Map a, Map b)
    {
        if (a.Count != b.Count)
        {
            return a.Count.CompareTo(b.Count);
        }
        var pa = a.Pairs.OrderBy(p => p.Key, Instance).ToList();
        var pb = b.Pairs.OrderBy(p => p.Key, Instance).ToList();
        var c = CompareSequences(pa.Select(p => p.Key).ToList(), pb.Select(p => p.Key).ToList());
        return c != 0 ? c : CompareSequences(pa.Select(p => p.Value).ToList(), pb.Select(p => p.Value).ToList());
    }

    private static int CompareLists(List a, List b)
    {
        var n = Math.Min(a.Elements.Count, b.Elements.Count);
        for (var i = 0; i < n; i++)
        {
            var c = Instance.Compare(a.Elements[i], b.Elements[i]);
            if (c != 0)
            {
                return c;
            }
        }
        if (a.Elements.Count == b.Elements.Count)
        {
            return a.IsProper && b.IsProper ? 0 : Instance.Compare(a.Tail, b.Tail);
        }
        // The longer list's remaining elements against the shorter one's tail.
        return a.Elements.Count > n
            ? Instance.Compare(new List(a.Elements.Skip(n).ToArray(), a.Tail), b.Tail)
            : Instance.Compare(a.Tail, new List(b.Elements.Skip(n).ToArray(), b.Tail));
    }

    // Unused bits are zero, so byte order is bit order; when the bytes are equal the shorter bitstring is first.
    private static int CompareBinaries(Binary a, Binary b)
    {
        var c = a.Bytes.Span.SequenceCompareTo(b.Bytes.Span);
        return c != 0 ? c : a.TrailingBits.CompareTo(b.TrailingBits);
    }

    private static int CompareSequences(IReadOnlyList<Term> a, IReadOnlyList<Term> b)
    {
        var n = Math.Min(a.Count, b.Count);
        for (var i = 0; i < n; i++)
        {
            var c = Instance.Compare(a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return a.Count.CompareTo(b.Count);
    }

    private static int Chain(params ReadOnlySpan<int> comparisons)
    {
        foreach (var c in comparisons)
        {
            if (c != 0)
            {
                return c;
            }
        }
        return 0;
    }
}

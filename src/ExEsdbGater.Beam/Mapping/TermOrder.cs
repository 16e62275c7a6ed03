using System.Text;
using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Mapping;

/// <summary>
/// Erlang's term order for map keys: number &lt; atom &lt; reference &lt; fun &lt; port &lt; pid &lt; tuple &lt; map &lt;
/// list &lt; bitstring. An OTP ≤ 25 node keeps small maps (≤ 32 keys) in this order, so its term_to_binary of a map we
/// built in this order reproduces our bytes.
/// </summary>
internal sealed class TermOrder : IComparer<Term>
{
    public static readonly TermOrder Instance = new();

    private TermOrder()
    {
    }

    public int Compare(Term? x, Term? y)
    {
        if (x is null || y is null)
        {
            return (x is null ? 0 : 1) - (y is null ? 0 : 1);
        }
        var rx = Rank(x);
        var ry = Rank(y);
        if (rx != ry)
        {
            return rx.CompareTo(ry);
        }
        return (x, y) switch
        {
            // atoms compare by their text; comparing the UTF-8 bytes is comparing code points
            (Atom a, Atom b) => Bytes(a.Name, b.Name),
            (Binary a, Binary b) => a.Bytes.Span.SequenceCompareTo(b.Bytes.Span),
            (Integer a, Integer b) => a.Value.CompareTo(b.Value),
            (Float a, Float b) => a.Value.CompareTo(b.Value),
            (Integer a, Float b) => ((double)a.Value).CompareTo(b.Value),
            (Float a, Integer b) => a.Value.CompareTo((double)b.Value),
            // keys of these kinds never come from the mapping; any stable answer will do
            _ => 0,
        };
    }

    private static int Bytes(string a, string b)
        => string.Equals(a, b, StringComparison.Ordinal) ? 0 : Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b));

    private static int Rank(Term t) => t switch
    {
        Integer or Float => 0,
        Atom => 1,
        Reference => 2,
        Opaque => 3,
        Port => 4,
        Pid => 5,
        Terms.Tuple => 6,
        Map => 7,
        List { IsEmpty: true } => 8,
        List => 9,
        _ => 10,
    };

    /// <summary>The pairs sorted by key in term order.</summary>
    public static Map SortedMap(IEnumerable<KeyValuePair<Term, Term>> pairs)
    {
        var list = pairs.ToList();
        // List.Sort is not stable; equal keys cannot occur in a map, so that does not matter
        list.Sort((a, b) => Instance.Compare(a.Key, b.Key));
        return new Map(list);
    }
}

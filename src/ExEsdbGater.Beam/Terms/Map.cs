namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// A map, its pairs in the order they were received or built. That order is what the sender's term_to_binary wrote,
/// so keeping it is what lets a signature over those bytes be checked (see docs/beam.md).
/// </summary>
internal sealed class Map : Term
{
    public Map(IReadOnlyList<KeyValuePair<Term, Term>> pairs)
    {
        Pairs = pairs;
    }

    public IReadOnlyList<KeyValuePair<Term, Term>> Pairs { get; }

    public int Count => Pairs.Count;

    /// <summary>The value under <paramref name="key"/>, by a linear scan (maps here are small structs).</summary>
    public bool TryGetValue(Term key, out Term value)
    {
        foreach (var (k, v) in Pairs)
        {
            if (k.Equals(key))
            {
                value = v;
                return true;
            }
        }
        value = List.Empty;
        return false;
    }

    /// <summary>The value under the atom key <paramref name="key"/>.</summary>
    public bool TryGetValue(string key, out Term value)
    {
        foreach (var (k, v) in Pairs)
        {
            if (k is Atom a && a.Name == key)
            {
                value = v;
                return true;
            }
        }
        value = List.Empty;
        return false;
    }

    private int _hash;

    /// <summary>Exact equality: the same pairs, in any order (as Erlang's =:=).</summary>
    public override bool Equals(Term? other)
    {
        if (other is not Map m || m.Count != Count)
        {
            return false;
        }
        if (ReferenceEquals(m, this))
        {
            return true;
        }
        if (m.GetHashCode() != GetHashCode())
        {
            return false;
        }
        if (Count <= 8)
        {
            return Pairs.All(p => m.TryGetValue(p.Key, out var v) && v.Equals(p.Value));
        }
        // Linear, not quadratic: a peer's large maps get compared when decoding checks for duplicate keys.
        var theirs = new Dictionary<Term, Term>(m.Count);
        foreach (var (k, v) in m.Pairs)
        {
            theirs.TryAdd(k, v);
        }
        return Pairs.All(p => theirs.TryGetValue(p.Key, out var v) && v.Equals(p.Value));
    }

    // Order-independent, so that keys which are maps do not all collide in a hash set (the decoder's duplicate
    // check); computed once, as nested keys are hashed at every level that checks them.
    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            var h = Count;
            foreach (var (k, v) in Pairs)
            {
                h += HashCode.Combine(k, v);
            }
            _hash = h == 0 ? 1 : h;
        }
        return _hash;
    }

    public override string ToString() => "#{" + string.Join(", ", Pairs.Select(p => $"{p.Key} => {p.Value}")) + "}";
}

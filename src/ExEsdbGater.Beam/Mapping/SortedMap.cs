using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Mapping;

/// <summary>
/// Maps built for sending, their pairs in Erlang term order (<see cref="TermOrder"/>), as an OTP ≤ 25 node keeps a
/// small map and so re-encodes it. A map of more than 32 pairs is hash-ordered on the VM: such a free-form map cannot
/// be reproduced and its signature will not check on the receiver (see docs/beam.md).
/// </summary>
internal static class SortedMap
{
    public static Map Of(IEnumerable<KeyValuePair<Term, Term>> pairs)
    {
        var array = pairs.ToArray();
        // keys of one map are distinct, so an unstable sort is fine
        Array.Sort(array, static (a, b) => TermOrder.Instance.Compare(a.Key, b.Key));
        return new Map(array);
    }
}

using System.Diagnostics;

namespace Gater.Cli.Commands;

/// <summary>
/// The benches' warm-up: rounds until the rate stops improving. Tiered JIT promotes a deep call tree over 1-1.5 s here
/// (100 ms rounds of verify: ~7,500 ns for a second, then 2,350 ns), so a short warm-up measured half-compiled code.
/// At least 1.5 s, then until three rounds in a row beat the best by less than 2 %; at most <c>limit</c>.
/// </summary>
internal sealed class WarmUp(TimeSpan limit)
{
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private double _best;
    private int _flat;

    /// <summary>True while another round is wanted.</summary>
    public bool Going => _elapsed.Elapsed < limit && (_elapsed.Elapsed < TimeSpan.FromSeconds(1.5) || _flat < 3);

    /// <summary>A round's rate (any unit, the same every round).</summary>
    public void Add(double rate)
    {
        _flat = rate > _best * 1.02 ? 0 : _flat + 1;
        _best = Math.Max(_best, rate);
    }
}

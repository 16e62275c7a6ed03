using System.Diagnostics.Metrics;

namespace ExEsdbGater.Hosting.Bridges;

/// <summary>The measurements of one instrument since the last interval: sum, last value, count, and a bounded sample.</summary>
internal sealed class InstrumentAggregate(Instrument instrument)
{
    /// <summary>Values kept per interval for percentiles; later ones replace random earlier ones.</summary>
    public const int MaxSamples = 1024;

    private readonly Lock _lock = new();
    private readonly List<double> _samples = [];
    private double _sum, _last;
    private long _count;

    public Instrument Instrument { get; } = instrument;

    /// <summary>For observable counters (cumulative) and up-down counters (a running total).</summary>
    public double Total { get; set; }

    public bool HasTotal { get; set; }

    public void Record(double value)
    {
        lock (_lock)
        {
            _sum += value;
            _last = value;
            _count++;
            if (_samples.Count < MaxSamples)
            {
                _samples.Add(value);
            }
            else
            {
                var i = Random.Shared.NextInt64(_count);
                if (i < MaxSamples)
                {
                    _samples[(int)i] = value;
                }
            }
        }
    }

    /// <summary>Takes this interval's figures and starts the next.</summary>
    public (double Sum, double Last, long Count, double[] Samples) Take()
    {
        lock (_lock)
        {
            var r = (_sum, _last, _count, _samples.ToArray());
            _sum = 0;
            _count = 0;
            _samples.Clear();
            return r;
        }
    }
}

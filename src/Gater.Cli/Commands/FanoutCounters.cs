using ExEsdbGater;

namespace Gater.Cli.Commands;

/// <summary>
/// Delivery counts of a fan-out bench's subscribers, each counting its own (as independent subscribers would), and
/// the publisher's wait for the last of them. The BenchmarkDotNet fan-out benchmark links this file.
/// </summary>
internal sealed class FanoutCounters : IDisposable
{
    // a subscriber's count every 16 longs (128 bytes): counters sharing a cache line would make every delivery wait
    // for the line to move between cores, a cost of the bench, not of the bus
    private const int Stride = 16;

    private readonly long[] _counts;
    // the publisher, when far enough ahead, waits to be woken by the last subscriber (the last each frame reaches)
    // once its count reaches this. Not a sleep: Task.Delay(1) takes ~4 ms here, a timer tick.
    private readonly SemaphoreSlim _caughtUp = new(0);
    private long _resumeAt = long.MaxValue;

    public FanoutCounters(int subscribers) => _counts = new long[subscribers * Stride];

    /// <summary>The handler of subscriber <paramref name="index"/>: counts, and the last one wakes a waiting publisher.</summary>
    public Func<Delivery, CancellationToken, ValueTask> Handler(int index)
    {
        var slot = index * Stride;
        var last = slot == _counts.Length - Stride;
        return (_, _) =>
        {
            var c = _counts[slot] + 1;
            if (!last)
            {
                Volatile.Write(ref _counts[slot], c);
            }
            else if (Interlocked.Exchange(ref _counts[slot], c) is var _ && Volatile.Read(ref _resumeAt) is var r && c >= r && Interlocked.CompareExchange(ref _resumeAt, long.MaxValue, r) == r)
            {
                _caughtUp.Release();
            }
            return ValueTask.CompletedTask;
        };
    }

    /// <summary>Deliveries to the last subscriber.</summary>
    public long Last => Volatile.Read(ref _counts[^Stride]);

    /// <summary>Deliveries to all subscribers.</summary>
    public long Delivered
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _counts.Length; i += Stride)
            {
                sum += Volatile.Read(ref _counts[i]);
            }
            return sum;
        }
    }

    /// <summary>True when every subscriber has had <paramref name="target"/> deliveries.</summary>
    public bool EachReached(long target)
    {
        for (var i = 0; i < _counts.Length; i += Stride)
        {
            if (Volatile.Read(ref _counts[i]) < target)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Until the last subscriber's count reaches <paramref name="until"/>: woken by it, with a timeout as a safety net;
    /// or until <paramref name="giveUp"/> (asked before each wait of up to 20 ms) says it never will.
    /// </summary>
    public async Task WaitForLastAsync(long until, CancellationToken ct = default, Func<bool>? giveUp = null)
    {
        while (Last < until && giveUp?.Invoke() != true)
        {
            // a full fence between publishing resumeAt and reading the count, as the handler's between its count and
            // resumeAt: one of the two sees the other
            Interlocked.Exchange(ref _resumeAt, until);
            if (Last < until)
            {
                await _caughtUp.WaitAsync(TimeSpan.FromMilliseconds(20), ct).ConfigureAwait(false);
            }
            Interlocked.Exchange(ref _resumeAt, long.MaxValue);
        }
    }

    public void Dispose() => _caughtUp.Dispose();
}

namespace ExEsdbGater.Tests;

/// <summary>The count several cores add to without sharing a cache line: no increment is lost, whichever core adds it.</summary>
public sealed class StripedCounterTests
{
    private sealed class Holder
    {
        public StripedCounter Count;
    }

    [Fact]
    public void Increments_from_many_threads_at_once_all_count()
    {
        const int threads = 6, each = 50_000;
        var holder = new Holder();
        using var start = new Barrier(threads);
        var running = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (var n = 0; n < each; n++)
            {
                holder.Count.Increment();
            }
        })).ToArray();
        foreach (var t in running)
        {
            t.Start();
        }
        foreach (var t in running)
        {
            t.Join();
        }
        // threads on every core at once: both lines written (on more than one core), every increment counted
        Assert.Equal(threads * each, holder.Count.Total);
    }

    [Fact]
    public void A_new_counter_reads_zero_and_counts_one_increment_as_one()
    {
        var holder = new Holder();
        Assert.Equal(0, holder.Count.Total);
        holder.Count.Increment();
        Assert.Equal(1, holder.Count.Total);
    }
}

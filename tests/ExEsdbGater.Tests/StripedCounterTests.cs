namespace ExEsdbGater.Tests;

/// <summary>The count several cores add to without sharing a cache line: no increment is lost, whichever thread adds it.</summary>
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
        var ids = new int[threads];
        var running = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            ids[i] = Environment.CurrentManagedThreadId;
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
        Assert.Equal(threads * each, holder.Count.Total);
        // and from a thread of each parity of id (each writes its own line), one more each
        var parities = new HashSet<int>(ids.Select(id => id % 2));
        var more = 0;
        while (parities.Count < 2 && more < 1000)
        {
            var t = new Thread(() =>
            {
                holder.Count.Increment();
                lock (parities)
                {
                    parities.Add(Environment.CurrentManagedThreadId % 2);
                }
            });
            t.Start();
            t.Join();
            more++;
        }
        Assert.Equal(2, parities.Count);
        Assert.Equal((threads * each) + more, holder.Count.Total);
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

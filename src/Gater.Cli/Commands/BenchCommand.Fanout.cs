using System.Diagnostics;

namespace Gater.Cli.Commands;

// Local fan-out: signed broadcast → in-process backplane → verified once → N subscribers.
internal sealed partial class BenchCommand
{
    private static async Task<(double Rate, double NsPerBroadcast, double BytesPerBroadcast)> FanoutAsync(KeyRing ring, NodeHealth message, int subscribers, TimeSpan budget, CancellationToken ct)
    {
        var hub = new InProcessHub();
        await using var a = GaterBus.Create(new GaterBusOptions { NodeName = "a@bench", Keys = ring, Backplane = hub.Connect() });
        await using var b = GaterBus.Create(new GaterBusOptions { NodeName = "b@bench", Keys = ring, Backplane = hub.Connect(), Verifier = new VerifierOptions { ReplayCapacity = 1_000_000 } });
        long delivered = 0;
        var subs = new List<IGaterSubscription>();
        for (var i = 0; i < subscribers; i++)
        {
            subs.Add(await b.SubscribeAsync(GaterInstance.Health, "cluster:health", (_, _) =>
            {
                Interlocked.Increment(ref delivered);
                return ValueTask.CompletedTask;
            }, new SubscriptionOptions { Capacity = 4096 }, ct));
        }
        async Task<(double Seconds, long Bytes)> Run(int broadcasts)
        {
            var target = Interlocked.Read(ref delivered) + ((long)broadcasts * subscribers);
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < broadcasts; i++)
            {
                await a.BroadcastAsync("cluster:health", message, ct);
                // verify is inline, so the backlog is in the subscribers' queues and the inbound queue behind them:
                // bound the frames not yet handled (on average per subscriber) so nothing is dropped and waited for
                while (b.Statistics.Received - (Interlocked.Read(ref delivered) / subscribers) > 2048)
                {
                    await Task.Yield();
                }
            }
            var deadline = Stopwatch.StartNew();
            while (Interlocked.Read(ref delivered) < target)
            {
                ct.ThrowIfCancellationRequested();
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"fan-out to {subscribers} stalled: {Interlocked.Read(ref delivered)} of {target} delivered; receiver {b.Statistics}; rejected replayed {b.Verifier.RejectedCount(RejectReason.Replayed)}");
                }
                await Task.Yield();
            }
            return (sw.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - bytes);
        }
        await Run(Math.Max(200, 2000 / subscribers));
        var n = Math.Max(200, (int)(200_000 * budget.TotalSeconds / subscribers));
        var (seconds, allocated) = await Run(n);
        foreach (var s in subs)
        {
            await s.DisposeAsync();
        }
        return ((double)n * subscribers / seconds, seconds * 1e9 / n, (double)allocated / n);
    }
}

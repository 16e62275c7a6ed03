using System.Diagnostics;

namespace Gater.Cli.Commands;

// Local fan-out: signed broadcast → in-process backplane → verified once → N subscribers.
internal sealed partial class BenchCommand
{
    /// <summary>
    /// One fan-out measurement: deliveries/s, time and bytes per broadcast, and the garbage collector's part in it (the
    /// share of wall time in GC pauses; gen0 collections, which a young generation's budget of bytes sets apart).
    /// </summary>
    private readonly record struct FanoutResult(double Rate, double NsPerBroadcast, double BytesPerBroadcast, double GcPauseShare, int Gen0Collections, long Allocated)
    {
        /// <summary>Bytes allocated per gen0 collection (about the young generation's budget); null without one.</summary>
        public double? BytesPerGen0 => Gen0Collections > 0 ? (double)Allocated / Gen0Collections : null;

        /// <summary>What each delivery beyond <paramref name="fewer"/>'s costs, in ns and bytes.</summary>
        public (double Ns, double Bytes) ExtraDeliveryOver(FanoutResult fewer, int subscribers, int fewerSubscribers)
            => ((NsPerBroadcast - fewer.NsPerBroadcast) / (subscribers - fewerSubscribers), (BytesPerBroadcast - fewer.BytesPerBroadcast) / (subscribers - fewerSubscribers));
    }

    private static async Task<FanoutResult> FanoutAsync(KeyRing ring, NodeHealth message, int subscribers, TimeSpan budget, CancellationToken ct, QueueFullMode fullMode = QueueFullMode.Wait)
    {
        var hub = new InProcessHub();
        await using var a = GaterBus.Create(new GaterBusOptions { NodeName = "a@bench", Keys = ring, Backplane = hub.Connect() });
        await using var b = GaterBus.Create(new GaterBusOptions { NodeName = "b@bench", Keys = ring, Backplane = hub.Connect(), Verifier = new VerifierOptions { ReplayCapacity = 1_000_000 } });
        using var counts = new FanoutCounters(subscribers);
        var subs = new List<IGaterSubscription>();
        for (var i = 0; i < subscribers; i++)
        {
            subs.Add(await b.SubscribeAsync(GaterInstance.Health, "cluster:health", counts.Handler(i), new SubscriptionOptions { Capacity = 4096, FullMode = fullMode }, ct));
        }
        long sent = 0;
        // broadcasts in flight at most: about 64k deliveries (2048 broadcasts up to 32 subscribers), as the BEAM
        // baseline keeps ~20-40k in flight; a deeper backlog only spills the subscribers' queues out of the caches
        var window = Math.Clamp(65_536 / subscribers, 64, 2048);

        // a drop-mode queue drops what its subscriber has not taken: fail at once, not by a stall (a subscriber that
        // lost a delivery never reaches the count a wait is for)
        Func<bool>? dropped = fullMode == QueueFullMode.Wait ? null : () => b.Statistics.Dropped != 0;
        void ThrowIfDropped()
        {
            if (dropped?.Invoke() == true)
            {
                throw new InvalidOperationException($"fan-out to {subscribers} ({fullMode}) dropped deliveries: {b.Statistics}");
            }
        }

        // Broadcasts for the duration; done when every subscriber has had every one. Broadcasts, seconds, bytes, GC.
        async Task<(long Broadcasts, double Seconds, long Bytes, TimeSpan Paused, int Gen0)> Run(TimeSpan duration)
        {
            var first = sent;
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            var paused = GC.GetTotalPauseDuration();
            var gen0 = GC.CollectionCount(0);
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < duration)
            {
                for (var i = 0; i < 16; i++)
                {
                    await a.BroadcastAsync("cluster:health", message, ct);
                    sent++;
                    // verify is inline, so the backlog is in the subscribers' queues and the inbound queue behind
                    // them: bound it so nothing is dropped or waited for. Wait, not spin: on two cores a spinning
                    // publisher takes the core the receiver needs.
                    if (sent - counts.Last > window)
                    {
                        await counts.WaitForLastAsync(sent - (window / 2), ct, dropped);
                    }
                }
                // with drop-mode queues, every subscriber (not only the last) is held within the window: checked every
                // 16 broadcasts, a queue then holds at most window + 16, below its capacity, so nothing is dropped
                while (fullMode != QueueFullMode.Wait && !counts.EachReached(sent - window))
                {
                    ThrowIfDropped();
                    await Task.Delay(1, ct);
                }
            }
            var target = sent * subscribers;
            while (counts.Delivered < target)
            {
                if (sw.Elapsed > duration + TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException($"fan-out to {subscribers} stalled: {counts.Delivered} of {target} delivered; receiver {b.Statistics}; rejected replayed {b.Verifier.RejectedCount(RejectReason.Replayed)}");
                }
                ThrowIfDropped();
                await counts.WaitForLastAsync(sent, ct, dropped);
                await Task.Yield();
            }
            return (sent - first, sw.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - bytes, GC.GetTotalPauseDuration() - paused, GC.CollectionCount(0) - gen0);
        }

        for (var warm = new WarmUp(TimeSpan.FromSeconds(4)); warm.Going;)
        {
            var (k, s, _, _, _) = await Run(TimeSpan.FromMilliseconds(100));
            warm.Add(k / s);
        }
        var (n, seconds, allocated, pauses, collections) = await Run(budget);
        foreach (var s in subs)
        {
            await s.DisposeAsync();
        }
        return new FanoutResult((double)n * subscribers / seconds, seconds * 1e9 / n, (double)allocated / n, pauses.TotalSeconds / seconds, collections, allocated);
    }
}

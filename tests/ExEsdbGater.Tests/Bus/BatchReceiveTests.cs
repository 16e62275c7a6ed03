using System.Collections.Concurrent;
using ExEsdbGater.Bus;
using ExEsdbGater.Testing;
using Gater.Cli.Commands;

namespace ExEsdbGater.Tests.Bus;

/// <summary>
/// A backplane's batch of one channel's frames (the Redis frame batch): with several receive workers verified on
/// several threads at once, yet delivered once each, in order, with forgeries, replays and gaps judged exactly as one
/// frame at a time would judge them. No timing is asserted.
/// </summary>
public sealed class BatchReceiveTests
{
    private const string Secret = "batches-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private static readonly KeyRing Keys = KeyRing.Of(GaterKey.FromSecret(Secret));
    private static readonly KeyRing Forger = KeyRing.Of(GaterKey.FromSecret("forger-secret-0123456789-abcdefghijklmnopqrstuvwxyz"));

    private static Task Until(Func<bool> condition, string what) => Waiting.UntilAsync(condition, what, TimeSpan.FromSeconds(60));

    private static byte[] Frame(long seq, string id, KeyRing? keys = null, string topic = "hot")
    {
        var m = HealthMessages.NodeHealth("a@h", NodeHealthStatus.Healthy, loadAvg: seq);
        return FrameEncoder.Encode(keys ?? Keys, new Envelope(GaterInstance.Health, topic, m.Tag, id, "p@test", 1, seq, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), m);
    }

    private static (IGaterBus Bus, PushBackplane Backplane) Receiver(int workers)
    {
        var backplane = new PushBackplane();
        return (GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = backplane, ReceiveWorkers = workers }), backplane);
    }

    // As the Redis backplane hands over a frame batch: whole when the bus takes it so, else one frame at a time.
    private static void Hand(PushBackplane backplane, List<byte[]> frames, string topic = "hot")
    {
        var list = frames.Select(f => (ReadOnlyMemory<byte>)f).ToArray();
        if (GaterBusCore.TakesBatches(backplane.Handler!, list.Length))
        {
            GaterBusCore.HandBatch(backplane.Handler!, GaterInstance.Health, topic, list, list.Length);
        }
        else
        {
            foreach (var frame in list)
            {
                backplane.Handler!(GaterInstance.Health, topic, frame);
            }
        }
        // the caller may reuse its list as soon as the call returns
        Array.Fill(list, ReadOnlyMemory<byte>.Empty);
    }

    private static long Whole(IGaterBus bus) => ((GaterBusCore)bus).BatchesRoutedWhole;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Batches_arrive_once_each_in_order_with_forgeries_replays_and_gaps_judged_as_one_at_a_time(int workers)
    {
        var (bus, backplane) = Receiver(workers);
        await using var _ = bus;
        var got = new ConcurrentQueue<long>();
        await bus.SubscribeAsync(GaterInstance.Health, "hot", d => got.Enqueue(d.Envelope!.Seq), new SubscriptionOptions { Capacity = 10_000 });
        // several workers: every batch of 16 frames or more goes whole; one worker: none
        Assert.Equal(workers > 1, GaterBusCore.TakesBatches(backplane.Handler!, 16));
        Assert.False(GaterBusCore.TakesBatches(backplane.Handler!, 15));
        var expected = new List<long>();
        var handed = 0;
        for (var b = 0; b < 20; b++)
        {
            var batch = new List<byte[]>();
            for (var k = 1; k <= 100; k++)
            {
                var seq = (b * 100) + k;
                if (seq == 1_050)
                {
                    // never sent: one gap
                    continue;
                }
                batch.Add(Frame(seq, "id" + seq));
                expected.Add(seq);
                if (k == 40)
                {
                    // a forgery, and a copy of a frame of this batch right behind it: both rejected, neither delivered
                    batch.Add(Frame(seq + 1, "forged" + seq, Forger));
                    batch.Add(Frame(seq - 5, "id" + (seq - 5)));
                }
            }
            if (b == 7)
            {
                // a copy of a frame from an earlier batch
                batch.Add(Frame(150, "id150"));
            }
            handed += batch.Count;
            Hand(backplane, batch);
        }
        await Until(() => got.Count == expected.Count, "every frame delivered");
        Assert.Equal(expected, got);
        var stats = bus.Statistics;
        Assert.Equal(handed, stats.Received);
        Assert.Equal(expected.Count, stats.Verified);
        Assert.Equal(20, bus.Verifier.RejectedCount(RejectReason.UnknownKey));
        Assert.Equal(21, bus.Verifier.RejectedCount(RejectReason.Replayed));
        Assert.Equal(1, stats.Gaps);
        Assert.Equal(0, stats.InboundDropped);
        Assert.Equal(workers > 1 ? 20 : 0, Whole(bus));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Of_two_copies_in_one_batch_the_first_is_the_one_accepted(int workers)
    {
        var (bus, backplane) = Receiver(workers);
        await using var _ = bus;
        var got = new ConcurrentQueue<(long Seq, double Load)>();
        await bus.SubscribeAsync(GaterInstance.Health, "hot", d => got.Enqueue((d.Envelope!.Seq, ((NodeHealth)d.Message!).LoadAvg ?? -1)), new SubscriptionOptions { Capacity = 10_000 });
        // 8 batches of 64 pairs: the same (node, id) signed twice with different content, the second copy at once behind the
        // first; whichever thread reaches the replay memory first, the first copy must win, as one at a time
        for (var round = 0; round < 8; round++)
        {
            var batch = new List<byte[]>();
            for (var i = (round * 64) + 1; i <= (round + 1) * 64; i++)
            {
                batch.Add(Frame(i, "pair" + i));
                var other = HealthMessages.NodeHealth("a@h", NodeHealthStatus.Healthy, loadAvg: -i);
                batch.Add(FrameEncoder.Encode(Keys, new Envelope(GaterInstance.Health, "hot", other.Tag, "pair" + i, "p@test", 1, i, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), other));
            }
            Hand(backplane, batch);
        }
        Assert.Equal(8, Whole(bus));
        await Until(() => got.Count == 512, "the first of every pair");
        Assert.Equal(Enumerable.Range(1, 512).Select(i => ((long)i, (double)i)), got);
        Assert.Equal(512, bus.Verifier.RejectedCount(RejectReason.Replayed));
        Assert.Equal(0, bus.Statistics.Gaps);
    }

    [Fact]
    public async Task Batches_of_several_channels_keep_each_channels_order_among_single_frames()
    {
        var (bus, backplane) = Receiver(4);
        await using var _ = bus;
        var got = new ConcurrentDictionary<string, ConcurrentQueue<long>>();
        await bus.SubscribeAsync(GaterInstance.Health, "*", d => got.GetOrAdd(d.Envelope!.Topic, _ => new()).Enqueue(d.Envelope.Seq), new SubscriptionOptions { Capacity = 20_000 });
        var seqs = new Dictionary<string, long>();
        long Next(string topic) => seqs[topic] = seqs.GetValueOrDefault(topic) + 1;
        for (var round = 0; round < 30; round++)
        {
            foreach (var topic in new[] { "t0", "t1", "t2", "t3", "t4" })
            {
                // a lone frame, then a batch, then another lone frame, on each channel in turn
                var lone = Next(topic);
                backplane.Handler!(GaterInstance.Health, topic, Frame(lone, topic + "-" + lone, topic: topic));
                var batch = Enumerable.Range(0, 17 + round).Select(_ => Next(topic)).Select(s => Frame(s, topic + "-" + s, topic: topic)).ToList();
                Hand(backplane, batch, topic);
                var last = Next(topic);
                backplane.Handler!(GaterInstance.Health, topic, Frame(last, topic + "-" + last, topic: topic));
            }
        }
        await Until(() => got.Values.Sum(q => q.Count) == seqs.Values.Sum(), "every frame delivered");
        Assert.All(seqs, p => Assert.Equal(Enumerable.Range(1, (int)p.Value).Select(i => (long)i), got[p.Key]));
        Assert.Equal(0, bus.Statistics.Gaps);
        Assert.Equal(seqs.Values.Sum(), bus.Statistics.Verified);
    }

    [Fact]
    public async Task Dispose_with_batches_waiting_counts_every_frame_once()
    {
        var (bus, backplane) = Receiver(2);
        await bus.SubscribeAsync(GaterInstance.Health, "hot", _ => { }, new SubscriptionOptions { Capacity = 100_000 });
        long handed = 0;
        for (var b = 0; b < 40; b++)
        {
            var batch = Enumerable.Range(1, 50).Select(k => Frame((b * 50) + k, "d" + ((b * 50) + k))).ToList();
            handed += batch.Count;
            Hand(backplane, batch);
        }
        await bus.DisposeAsync();
        var stats = bus.Statistics;
        Assert.Equal(handed, stats.Received);
        Assert.Equal(handed, stats.Verified + stats.InboundDropped);
        Assert.Equal(0, stats.Rejected);
        Assert.Equal(40, Whole(bus));
        // a batch handed over after dispose: not taken whole, its frames counted as dropped one by one, none verified
        Hand(backplane, Enumerable.Range(1, 40).Select(k => Frame(10_000 + k, "late" + k)).ToList());
        Assert.Equal(40, Whole(bus));
        var after = bus.Statistics;
        Assert.Equal(handed + 40, after.Received);
        Assert.Equal(stats.InboundDropped + 40, after.InboundDropped);
        Assert.Equal(stats.Verified, after.Verified);
    }

    [Fact]
    public async Task Only_a_bus_own_handler_without_a_replay_store_takes_batches()
    {
        BackplaneFrameHandler other = (_, _, _) => { };
        Assert.False(GaterBusCore.TakesBatches(other, 100));
        // with a replay store, whose round trips must stay in frame order, frames go one at a time
        var backplane = new PushBackplane();
        await using var bus = GaterBus.Create(new GaterBusOptions
        {
            NodeName = "r@test", Keys = Keys, Backplane = backplane, ReceiveWorkers = 4,
            Verifier = new VerifierOptions { ReplayStore = new NeverSeen() },
        });
        await bus.SubscribeAsync(GaterInstance.Health, "hot", _ => { });
        Assert.False(GaterBusCore.TakesBatches(backplane.Handler!, 100));
    }

    private sealed class NeverSeen : IReplayStore
    {
        public bool TryRemember(string node, string id, TimeSpan window) => true;
    }
}

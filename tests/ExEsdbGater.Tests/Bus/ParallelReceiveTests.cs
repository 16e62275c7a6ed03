using System.Collections.Concurrent;
using System.Diagnostics;
using ExEsdbGater.Bus;
using ExEsdbGater.Testing;
using Gater.Cli.Commands;

namespace ExEsdbGater.Tests.Bus;

/// <summary>
/// Receive lanes (<see cref="GaterBusOptions.ReceiveWorkers"/>): frames of different channels verified in parallel on
/// real threads, with exactly-once delivery, per-(publisher, topic) order, exact gaps and replays, counted drops, and
/// drain/dispose while lanes are busy. No timing is asserted: waits only bound how long a failure takes.
/// </summary>
public sealed class ParallelReceiveTests
{
    private const string Secret = "lanes-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private static readonly KeyRing Keys = KeyRing.Of(GaterKey.FromSecret(Secret));

    private static NodeHealth Health(double load = 0.1) => HealthMessages.NodeHealth("a@h", NodeHealthStatus.Healthy, loadAvg: load);

    private static readonly KeyRing Forger = KeyRing.Of(GaterKey.FromSecret("forger-secret-0123456789-abcdefghijklmnopqrstuvwxyz"));

    /// <summary>Publisher p@test's frame number <paramref name="seq"/> on <paramref name="topic"/> (its id made of both), signed with <paramref name="keys"/> (ours by default).</summary>
    private static byte[] Signed(string topic, long seq, KeyRing? keys = null)
    {
        var m = Health();
        return FrameEncoder.Encode(keys ?? Keys, new Envelope(GaterInstance.Health, topic, m.Tag, $"{topic}-{seq}", "p@test", 1, seq, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), m);
    }

    /// <summary>
    /// Holds the lane's worker inside the observer of a forgery on <paramref name="topic"/> until <paramref name="gate"/>
    /// is set, so that the frames handed over meanwhile queue up behind it.
    /// </summary>
    private static void HoldWorkerOnForgery(IGaterBus receiver, string topic, ManualResetEventSlim gate)
        => receiver.Verifier.Rejected += r =>
        {
            if (r.Topic == topic && r.Reason == RejectReason.UnknownKey)
            {
                gate.Wait(TimeSpan.FromSeconds(60));
            }
        };

    private static Task Until(Func<bool> condition, string what, int seconds = 60) => Waiting.UntilAsync(condition, what, TimeSpan.FromSeconds(seconds));

    /// <summary>Runs <paramref name="body"/> on <paramref name="count"/> dedicated threads at once.</summary>
    private static Task OnThreads(int count, Func<int, Task> body)
    {
        using var start = new Barrier(count);
        var threads = Enumerable.Range(0, count).Select(i =>
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var t = new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    body(i).GetAwaiter().GetResult();
                    done.SetResult();
                }
#pragma warning disable CA1031 // handed to the test through the task
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    done.SetException(ex);
                }
            }) { IsBackground = true };
            t.Start();
            return (t, done.Task);
        }).ToArray();
        foreach (var (t, _) in threads)
        {
            t.Join();
        }
        return Task.WhenAll(threads.Select(x => x.Item2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Many_publishers_on_many_topics_arrive_once_each_in_order_per_publisher_and_topic_without_false_gaps(int workers)
    {
        const int senders = 4, threadsPerSender = 2, perThread = 1440, topics = 24;
        var hub = new InProcessHub();
        await using var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = hub.Connect(), ReceiveWorkers = workers });
        var buses = Enumerable.Range(0, senders).Select(i => GaterBus.Create(new GaterBusOptions { NodeName = $"s{i}@test", Keys = Keys, Backplane = hub.Connect() })).ToArray();
        var got = new ConcurrentQueue<(string Node, string Topic, long Seq, string Id)>();
        var perTopic = new ConcurrentDictionary<string, ConcurrentQueue<(string Node, long Seq)>>();
        // a small Wait-mode queue: lanes keep switching between inline fan-out and their inbound queues
        await receiver.SubscribeAsync(GaterInstance.Health, "lanes:*", d => got.Enqueue((d.Envelope!.Node, d.Envelope.Topic, d.Envelope.Seq, d.Envelope.Id)),
            new SubscriptionOptions { Capacity = 16 });
        for (var t = 0; t < 4; t++)
        {
            var topic = "lanes:" + t;
            var q = perTopic.GetOrAdd(topic, _ => new());
            await receiver.SubscribeAsync(GaterInstance.Health, topic, d => q.Enqueue((d.Envelope!.Node, d.Envelope.Seq)), new SubscriptionOptions { Capacity = 4 });
        }
        try
        {
            await OnThreads(senders * threadsPerSender, async i =>
            {
                var bus = buses[i % senders];
                for (var n = 0; n < perThread; n++)
                {
                    await bus.BroadcastAsync("lanes:" + ((n + i) % topics), Health());
                }
            });
            const int total = senders * threadsPerSender * perThread;
            await Until(() => got.Count == total, $"{total} deliveries (have {got.Count})");
            await Until(() => perTopic.Values.Sum(q => q.Count) == senders * threadsPerSender * perThread * 4 / topics, "the exact-topic subscribers");

            Assert.Equal(total, got.Select(x => (x.Node, x.Id)).Distinct().Count());
            foreach (var channel in got.GroupBy(x => (x.Node, x.Topic)))
            {
                // one publisher's seqs on one topic: every one, once, in order
                Assert.Equal(Enumerable.Range(1, channel.Count()).Select(s => (long)s), channel.Select(x => x.Seq));
            }
            foreach (var (topic, q) in perTopic)
            {
                foreach (var channel in q.GroupBy(x => x.Node))
                {
                    Assert.Equal(Enumerable.Range(1, channel.Count()).Select(s => (long)s), channel.Select(x => x.Seq));
                }
            }
            var stats = receiver.Statistics;
            Assert.Equal(total, stats.Verified);
            Assert.Equal(0, stats.Gaps);
            Assert.Equal(0, stats.Rejected);
            Assert.Equal(0, stats.InboundDropped);
            Assert.Equal(0, stats.Dropped);
        }
        finally
        {
            foreach (var b in buses)
            {
                await b.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_id_arriving_on_two_lanes_at_once_is_accepted_once()
    {
        const int pairs = 2000;
        var hub = new InProcessHub();
        await using var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = hub.Connect(), ReceiveWorkers = 4 });
        var got = new ConcurrentQueue<string>();
        await receiver.SubscribeAsync(GaterInstance.Health, "dup:*", d => got.Enqueue(d.Envelope!.Id), new SubscriptionOptions { Capacity = 2 * pairs });
        var m = Health();
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // the same (node, id) signed for two topics, so the copies take different lanes (3 pairs in 4); and the very
        // same frame twice on one topic, which stays on one lane
        byte[] Frame(string topic, int i) => FrameEncoder.Encode(Keys, new Envelope(GaterInstance.Health, topic, m.Tag, "dup-" + i, "x@test", 1, 1, ts), m);
        var a = Enumerable.Range(0, pairs).Select(i => ("dup:a" + i, Frame("dup:a" + i, i))).ToArray();
        var b = Enumerable.Range(0, pairs).Select(i => ("dup:b" + i, Frame("dup:b" + i, i))).ToArray();
        var same = Frame("dup:same", pairs);
        await using var left = hub.Connect();
        await using var right = hub.Connect();
        await OnThreads(2, async side =>
        {
            var (raw, frames) = side == 0 ? (left, a) : (right, b);
            for (var i = 0; i < pairs; i++)
            {
                await raw.PublishAsync(GaterInstance.Health, frames[i].Item1, frames[i].Item2);
                if (i == pairs / 2)
                {
                    await raw.PublishAsync(GaterInstance.Health, "dup:same", same);
                }
            }
        });
        await Until(() => receiver.Statistics.Verified + receiver.Statistics.Rejected == 2 * pairs + 2, "every frame judged");
        await Until(() => got.Count == pairs + 1, "one delivery per id");
        Assert.Equal(pairs + 1, got.Distinct().Count());
        Assert.Equal(pairs + 1, receiver.Statistics.Verified);
        Assert.Equal(pairs + 1, receiver.Verifier.RejectedCount(RejectReason.Replayed));
        Assert.Equal(0, receiver.Statistics.Gaps);
    }

    [Fact]
    public async Task Frames_queued_on_a_lane_are_taken_as_groups_judged_in_order_with_observers_outside_the_replay_lock()
    {
        var backplane = new PushBackplane();
        // a small replay memory, so that groups also push pairs out and raise ReplayEvicted
        await using var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = backplane, ReceiveWorkers = 2, Verifier = new VerifierOptions { ReplayCapacity = 64 } });
        var core = (GaterBusCore)receiver;
        var got = new ConcurrentQueue<long>();
        await receiver.SubscribeAsync(GaterInstance.Health, "g:a", d => got.Enqueue(d.Envelope!.Seq), new SubscriptionOptions { Capacity = 1000 });
        // Observers run on the lane's worker. Each one verifies a fresh frame on another thread and waits for it:
        // raised under the replay memory's lock, that verify could not take the lock, and the wait would fail.
        using var gate = new ManualResetEventSlim();
        var probesStuck = 0;
        using var probing = new ThreadLocal<bool>();
        // one frame every time: after its first verify it is a replay, which takes the lock but pushes nothing out
        var probe = Signed("g:probe", 1);
        void Probe()
        {
            // should the probe's pair be pushed out and taken again, it raises ReplayEvicted on its thread: ignored
            if (!Task.Run(() =>
            {
                probing.Value = true;
                receiver.Verifier.Verify(probe, GaterInstance.Health, "g:probe");
                probing.Value = false;
            }).Wait(TimeSpan.FromSeconds(20)))
            {
                Interlocked.Increment(ref probesStuck);
            }
        }
        HoldWorkerOnForgery(receiver, "g:gate", gate);
        var replayed = 0;
        receiver.Verifier.Rejected += r =>
        {
            if (r.Reason == RejectReason.Replayed && r.Topic == "g:a")
            {
                Interlocked.Increment(ref replayed);
                Probe();
            }
        };
        var evictions = 0;
        var totals = new ConcurrentQueue<long>();
        receiver.Verifier.ReplayEvicted += total =>
        {
            if (!probing.Value)
            {
                Interlocked.Increment(ref evictions);
                totals.Enqueue(total);
                Probe();
            }
        };
        // g:gate, then g:x (another lane), then g:a (the first lane again, behind the gate)
        backplane.Handler!(GaterInstance.Health, "g:gate", Signed("g:gate", 1, Forger));
        backplane.Handler!(GaterInstance.Health, "g:x", Signed("g:x", 1));
        Assert.Equal(core.LaneIndexOf(GaterInstance.Health, "g:gate"), core.LaneIndexOf(GaterInstance.Health, "g:a"));
        // 120 frames, every tenth sent twice in a row (the copy is a replay within its group), one forged
        const int count = 120;
        for (var seq = 1L; seq <= count; seq++)
        {
            var frame = Signed("g:a", seq, seq == 55 ? Forger : null);
            backplane.Handler!(GaterInstance.Health, "g:a", frame);
            if (seq % 10 == 0)
            {
                backplane.Handler!(GaterInstance.Health, "g:a", frame);
            }
        }
        gate.Set();
        await Until(() => got.Count == count - 1, "every genuine frame delivered");
        await Until(() => Volatile.Read(ref replayed) == count / 10, "every copy judged a replay");
        Assert.Equal(Enumerable.Range(1, count).Where(s => s != 55).Select(s => (long)s), got);
        Assert.Equal(0, Volatile.Read(ref probesStuck));
        Assert.True(Volatile.Read(ref evictions) > 0, "the replay memory pushed pairs out");
        // each report carries the total its own eviction made, as one frame at a time would, not its group's last
        Assert.All(totals.Zip(totals.Skip(1)), p => Assert.True(p.Second > p.First, $"{p.First} then {p.Second}"));
        // the queued frames were taken on in groups, not one at a time
        Assert.True(core.FramesTakenInGroups >= count, $"{core.FramesTakenInGroups} frames taken in groups");
        Assert.Equal(2, receiver.Verifier.RejectedCount(RejectReason.UnknownKey));
        // the forged seq 55 never counts as received: its gap is reported
        Assert.Equal(1, receiver.Statistics.Gaps);
    }

    [Fact]
    public async Task With_a_replay_store_a_lane_takes_queued_frames_one_at_a_time()
    {
        var backplane = new PushBackplane();
        var store = new RecordingStore();
        await using var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = backplane, ReceiveWorkers = 2, Verifier = new VerifierOptions { ReplayStore = store } });
        var core = (GaterBusCore)receiver;
        var got = new ConcurrentQueue<long>();
        await receiver.SubscribeAsync(GaterInstance.Health, "s:a", d => got.Enqueue(d.Envelope!.Seq), new SubscriptionOptions { Capacity = 100 });
        using var gate = new ManualResetEventSlim();
        HoldWorkerOnForgery(receiver, "s:a", gate);
        backplane.Handler!(GaterInstance.Health, "s:a", Signed("s:a", 1000, Forger));
        for (var seq = 1L; seq <= 40; seq++)
        {
            backplane.Handler!(GaterInstance.Health, "s:a", Signed("s:a", seq));
        }
        gate.Set();
        await Until(() => got.Count == 40, "every frame delivered");
        Assert.Equal(Enumerable.Range(1, 40).Select(s => (long)s), got);
        // each frame's round trip to the store, in frame order, none held back behind the others' in a group
        Assert.Equal(0, core.FramesTakenInGroups);
        Assert.Equal(Enumerable.Range(1, 40).Select(s => "s:a-" + s), store.Ids);
    }

    private sealed class RecordingStore : IReplayStore
    {
        private readonly ConcurrentQueue<string> _ids = new();

        public IEnumerable<string> Ids => _ids;

        public bool TryRemember(string node, string id, TimeSpan window)
        {
            _ids.Enqueue(id);
            return true;
        }
    }

    [Fact]
    public async Task Channels_are_dealt_to_the_lanes_in_turn_as_they_first_arrive_and_keep_their_lane()
    {
        var hub = new InProcessHub();
        await using var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = hub.Connect(), ReceiveWorkers = 4 });
        var core = (GaterBusCore)receiver;
        var got = new ConcurrentQueue<string>();
        await receiver.SubscribeAsync(GaterInstance.Health, "deal:*", d => got.Enqueue(d.Envelope!.Topic), new SubscriptionOptions { Capacity = 1000 });
        await using var raw = hub.Connect();
        var m = Health();
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < 64; i++)
        {
            var topic = "deal:" + (i % 8);
            await raw.PublishAsync(GaterInstance.Health, topic, FrameEncoder.Encode(Keys, new Envelope(GaterInstance.Health, topic, m.Tag, "d" + i, "p@test", 1, (i / 8) + 1, ts), m));
        }
        await Until(() => got.Count == 64, "every frame delivered");
        // first arrivals deal:0 … deal:7 took lanes 0 1 2 3 0 1 2 3, and kept them for all 8 rounds
        Assert.Equal([0, 1, 2, 3, 0, 1, 2, 3], Enumerable.Range(0, 8).Select(t => core.LaneIndexOf(GaterInstance.Health, "deal:" + t)));
        Assert.Equal(0, receiver.Statistics.Gaps);
        Assert.Equal(Enumerable.Range(0, 8).Select(t => "deal:" + t).Order(), got.Distinct().Order());

        // many channels at once from many threads: evenly dealt while there is room, each keeps one lane
        var lanes = new ConcurrentDictionary<string, int>();
        await OnThreads(4, side =>
        {
            for (var i = side; i < 20_000; i += 4)
            {
                lanes["many:" + i] = core.LaneIndexOf(GaterInstance.Metrics, "many:" + i);
            }
            return Task.CompletedTask;
        });
        Assert.All(lanes, p => Assert.Equal(p.Value, core.LaneIndexOf(GaterInstance.Metrics, p.Key)));
        var perLane = lanes.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4, perLane.Count);
        // 16,384 dealt (8 of them above), the rest by hash: within a few hundred of even
        Assert.All(perLane.Values, n => Assert.InRange(n, 4400, 5600));
    }

    [Theory]
    [InlineData(1, 400)]
    [InlineData(2, 0)]
    [InlineData(4, 0)]
    public async Task With_one_worker_the_backplane_thread_verifies_every_frame_and_with_more_only_routes(int workers, int onPusher)
    {
        var backplane = new PushBackplane();
        await using var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = backplane, ReceiveWorkers = workers });
        var core = (GaterBusCore)receiver;
        var handled = 0;
        await receiver.SubscribeAsync(GaterInstance.Health, "busy:*", _ => Interlocked.Increment(ref handled), new SubscriptionOptions { Capacity = 400 });
        // each verify starts a receive activity on the verifying thread; only those on the pushing thread, while it
        // pushes, are counted (other tests' buses verify on other threads)
        var pusher = -1;
        var verifiedOnPusher = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GaterTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = a =>
            {
                if (a.OperationName == "exesdbgater receive" && Environment.CurrentManagedThreadId == Volatile.Read(ref pusher))
                {
                    Interlocked.Increment(ref verifiedOnPusher);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var frames = Frames(400, 4);
        Volatile.Write(ref pusher, Environment.CurrentManagedThreadId);
        foreach (var (topic, frame) in frames)
        {
            backplane.Handler!(GaterInstance.Health, topic, frame);
        }
        Volatile.Write(ref pusher, -1);
        await Until(() => Volatile.Read(ref handled) == 400, "every frame handled");
        // busy:0 … busy:3 dealt in turn; with one worker all verified on the backplane's thread, with more all on the
        // lanes' own threads (that thread only routes)
        Assert.Equal(Enumerable.Range(0, 4).Select(t => t % workers), Enumerable.Range(0, 4).Select(t => core.LaneIndexOf(GaterInstance.Health, "busy:" + t)));
        Assert.Equal(onPusher, Volatile.Read(ref verifiedOnPusher));
        Assert.Equal(400, receiver.Statistics.Verified);
        Assert.Equal(0, receiver.Statistics.Gaps);
    }

    [Fact]
    public async Task A_full_lane_drops_counts_and_reports_while_forgeries_are_still_judged()
    {
        const int sent = 400;
        var hub = new InProcessHub();
        await using var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = hub.Connect(), ReceiveWorkers = 4, InboundCapacity = 32 });
        await using var sender = GaterBus.Create(new GaterBusOptions { NodeName = "s@test", Keys = Keys, Backplane = hub.Connect() });
        await using var forger = hub.Connect();
        var slow = new ConcurrentQueue<SlowConsumer>();
        receiver.SlowConsumerDetected += slow.Enqueue;
        using var release = new ManualResetEventSlim(false);
        var handled = 0;
        // cancellable, so that a failing assertion cannot leave dispose waiting for this handler
        await receiver.SubscribeAsync(GaterInstance.Health, "full:*", (_, ct) =>
        {
            release.Wait(ct);
            Interlocked.Increment(ref handled);
            return ValueTask.CompletedTask;
        }, new SubscriptionOptions { Capacity = 1 });
        await OnThreads(4, async i =>
        {
            for (var n = 0; n < sent / 4; n++)
            {
                await sender.BroadcastAsync("full:" + ((n % 4) + (4 * i)), Health());
            }
        });
        await Until(() => receiver.Statistics.Received == sent && ((GaterBusCore)receiver).ArrivalsPending == 0, "every frame received and judged");
        // the lanes wait on the blocked subscriber, not on verification: forgeries are judged at once (in batches
        // smaller than a lane's share of InboundCapacity, which also bounds frames waiting for a worker)
        var forged = "exg1.00000000."u8.ToArray().Concat("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.{}"u8.ToArray()).ToArray();
        for (var batch = 1; batch <= 20; batch++)
        {
            for (var i = 0; i < 5; i++)
            {
                await forger.PublishAsync(GaterInstance.Health, "full:" + i, forged);
            }
            await Until(() => receiver.Statistics.Rejected == batch * 5, $"{batch * 5} rejections while blocked");
        }
        var dropped = receiver.Statistics.InboundDropped;
        Assert.True(dropped > 0, "nothing dropped: the lanes' queues never filled");
        await Until(() => slow.Any(s => s.Subscription == GaterBusCore.InboundQueueName), "the drops reported as a slow consumer");
        release.Set();
        await Until(() => Volatile.Read(ref handled) + receiver.Statistics.InboundDropped == sent, "every frame handled or counted as dropped");
        // frames wait for a worker rather than being dropped unverified: every drop was tracked, so no gap
        Assert.Equal(0, receiver.Statistics.Gaps);
        Assert.Equal(0, receiver.GetBacklog().Inbound);
    }

    [Fact]
    public async Task Frames_waiting_for_a_worker_hold_the_backplane_thread_instead_of_being_dropped()
    {
        // a lane may hold 8 / 2 = 4 frames not yet verified: the pusher keeps catching up with the workers
        await using var receiver = await PushThroughTwoLanesAsync(3000, inboundCapacity: 8);
    }

    [Fact]
    public async Task A_backplane_thread_waiting_for_a_full_lane_resumes_a_quarter_below_its_share_not_at_each_progress_report()
    {
        const int sent = 20_000;
        // 1,024 frames a lane; a waiting pusher resumes once its lane is down to 768, so each wait lets at least 256
        // through. Woken whenever a worker reported progress (every 32 frames), it waited 272 times in a run here.
        await using var receiver = await PushThroughTwoLanesAsync(sent, inboundCapacity: 2048);
        // the pusher routes several times faster than two workers verify, so it fills the lanes and waits; the
        // workers wake it (a lost wake-up would end each wait by its 100 ms timeout instead)
        var bus = (GaterBusCore)receiver;
        Assert.InRange(bus.RouterWaits, 1, (sent / 256) + 2);
        Assert.True(bus.RouterWaitTimeouts * 2 < bus.RouterWaits, $"{bus.RouterWaitTimeouts} of {bus.RouterWaits} waits ended by the timeout");
    }

    [Fact]
    public async Task Disposing_while_the_backplane_thread_waits_for_a_full_lane_releases_it_and_counts_every_frame()
    {
        // more frames than the test needs: the pusher waits for room until dispose begins, then hands frames over
        // until 100 have been counted as dropped at shutdown
        const int available = 200_000, droppedAtShutdown = 100;
        var backplane = new PushBackplane();
        // two frames a lane: the pusher waits for room almost every frame
        await using var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = backplane, ReceiveWorkers = 2, InboundCapacity = 4 });
        // no subscriber left (the backplane keeps the bus's handler): every frame is verified or abandoned
        await (await receiver.SubscribeAsync(GaterInstance.Health, "busy:*", _ => { })).DisposeAsync();
        var frames = Frames(available, 16);
        var pushed = 0;
        var disposing = false;
        var ranOut = true;
        Exception? failed = null;
        // a thread of its own, as a backplane's receive loop: it blocks while it waits for room, and goes on handing
        // frames over while the bus is disposed, as a backplane's loop still running would
        var pusher = new Thread(() =>
        {
            try
            {
                foreach (var (topic, frame) in frames)
                {
                    backplane.Handler!(GaterInstance.Health, topic, frame);
                    pushed++;
                    if (Volatile.Read(ref disposing) && receiver.Statistics.InboundDropped >= droppedAtShutdown)
                    {
                        ranOut = false;
                        break;
                    }
                }
            }
#pragma warning disable CA1031 // reported by the test below, not lost on a thread that would end the test host
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed = ex;
            }
        }) { IsBackground = true };
        pusher.Start();
        var bus = (GaterBusCore)receiver;
        await Until(() => bus.RouterWaits >= 10, "the pusher waiting for room");
        Volatile.Write(ref disposing, true);
        await receiver.DisposeAsync();
        // released, not left waiting: what it hands over from then on is counted as dropped at shutdown
        Assert.True(pusher.Join(TimeSpan.FromSeconds(60)), "the pusher still waits after dispose");
        Assert.Null(failed);
        Assert.False(ranOut, $"all {available} frames were handed over before {droppedAtShutdown} were counted as dropped");
        var stats = receiver.Statistics;
        Assert.Equal(pushed, stats.Received);
        Assert.Equal(pushed, stats.Verified + stats.InboundDropped);
        Assert.InRange(stats.InboundDropped, droppedAtShutdown, pushed);
        Assert.Equal(0, stats.Rejected);
    }

    // Pushes frames on 16 topics from one thread into a bus with two lanes of inboundCapacity / 2 frames each: every
    // lane stays within its share after every frame, and every frame is handled, none dropped, no gap.
    private static async Task<IGaterBus> PushThroughTwoLanesAsync(int sent, int inboundCapacity)
    {
        var backplane = new PushBackplane();
        var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = backplane, ReceiveWorkers = 2, InboundCapacity = inboundCapacity });
        try
        {
            var handled = 0;
            await receiver.SubscribeAsync(GaterInstance.Health, "busy:*", _ => Interlocked.Increment(ref handled), new SubscriptionOptions { Capacity = sent });
            var bus = (GaterBusCore)receiver;
            foreach (var (topic, frame) in Frames(sent, 16))
            {
                backplane.Handler!(GaterInstance.Health, topic, frame);
                Assert.InRange(bus.LanePending(0), 0, inboundCapacity / 2);
                Assert.InRange(bus.LanePending(1), 0, inboundCapacity / 2);
            }
            await Until(() => Volatile.Read(ref handled) == sent, "every frame handled");
            Assert.Equal(0, receiver.Statistics.InboundDropped);
            Assert.Equal(0, receiver.Statistics.Gaps);
            return receiver;
        }
        catch
        {
            await receiver.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task Drain_with_lanes_blocked_counts_every_abandoned_delivery()
    {
        const int sent = 200;
        var hub = new InProcessHub();
        await using var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = hub.Connect(), ReceiveWorkers = 4 });
        await using var sender = GaterBus.Create(new GaterBusOptions { NodeName = "s@test", Keys = Keys, Backplane = hub.Connect() });
        using var gate = new SemaphoreSlim(0);
        var taken = 0;
        await receiver.SubscribeAsync(GaterInstance.Health, "drain:*", async (_, ct) =>
        {
            Interlocked.Increment(ref taken);
            await gate.WaitAsync(ct);
        }, new SubscriptionOptions { Capacity = 4 });
        await OnThreads(4, async i =>
        {
            for (var n = 0; n < sent / 4; n++)
            {
                await sender.BroadcastAsync("drain:" + ((n % 8) + (8 * i)), Health());
            }
        });
        await Until(() => receiver.Statistics.Verified == sent && Volatile.Read(ref taken) == 1, "every frame verified, one in the handler");
        Assert.True(receiver.GetBacklog().Inbound > 0);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var report = await receiver.DrainAsync(cts.Token);
        Assert.False(report.Completed);
        // the one in the cancelled handler was taken, not queued; everything else is counted
        Assert.Equal(sent - 1, report.Abandoned);
        var stats = receiver.Statistics;
        Assert.Equal(report.Abandoned, stats.InboundDropped + stats.Dropped);
        Assert.Equal(0, receiver.GetBacklog().Inbound);
        Assert.Equal(0, receiver.GetBacklog().InboundBytes);
    }

    [Fact]
    public async Task Drain_waits_for_busy_lanes_to_finish()
    {
        const int sent = 3000;
        var backplane = new PushBackplane();
        await using var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = backplane, ReceiveWorkers = 4 });
        var handled = 0;
        await receiver.SubscribeAsync(GaterInstance.Health, "busy:*", _ => Interlocked.Increment(ref handled), new SubscriptionOptions { Capacity = 8 });
        var frames = Frames(sent, 16);
        foreach (var (topic, frame) in frames)
        {
            backplane.Handler!(GaterInstance.Health, topic, frame);
        }
        // whatever the lanes still hold now is verified and delivered before the drain returns
        var report = await receiver.DrainAsync();
        Assert.True(report.Completed);
        Assert.Equal(0, report.Abandoned);
        Assert.Equal(sent, Volatile.Read(ref handled));
        Assert.Equal(sent, receiver.Statistics.Verified);
        Assert.Equal(0, receiver.Statistics.Gaps);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Dispose_with_lanes_busy_verifying_counts_what_it_abandons(int workers)
    {
        const int sent = 5000;
        var backplane = new PushBackplane();
        var receiver = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, Backplane = backplane, ReceiveWorkers = workers });
        // no subscriber left: verified frames go nowhere, so every frame is verified or abandoned
        await (await receiver.SubscribeAsync(GaterInstance.Health, "busy:*", _ => { })).DisposeAsync();
        foreach (var (topic, frame) in Frames(sent, 16))
        {
            backplane.Handler!(GaterInstance.Health, topic, frame);
        }
        await receiver.DisposeAsync();
        var stats = receiver.Statistics;
        Assert.Equal(sent, stats.Received);
        Assert.Equal(sent, stats.Verified + stats.InboundDropped);
        Assert.Equal(0, stats.Rejected);
        // a valid frame the backplane still hands over after dispose is counted as dropped, neither verified nor
        // rejected, whether it would have been verified on the backplane's thread (1 worker) or routed to a lane's (4)
        var m = Health();
        var late = FrameEncoder.Encode(Keys, new Envelope(GaterInstance.Health, "busy:late", m.Tag, "late", "p@test", 1, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), m);
        backplane.Handler!(GaterInstance.Health, "busy:late", late);
        var after = receiver.Statistics;
        Assert.Equal(stats.Received + 1, after.Received);
        Assert.Equal(stats.InboundDropped + 1, after.InboundDropped);
        Assert.Equal(stats.Verified, after.Verified);
        Assert.Equal(0, after.Rejected);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(GaterDefaults.MaxReceiveWorkers + 1)]
    public void Receive_workers_out_of_range_are_refused_by_name(int workers)
    {
        var ex = Assert.Throws<GaterConfigurationException>(() => GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Keys, ReceiveWorkers = workers }));
        Assert.Contains("GaterBusOptions.ReceiveWorkers", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_is_one_inline_lane()
    {
        Assert.Equal(1, new GaterBusOptions().ReceiveWorkers); // opt-in: more lanes give up order between topics
    }

    /// <summary>Frames of one publisher (seq 1.. per topic) spread over <paramref name="topics"/> topics.</summary>
    private static (string Topic, byte[] Frame)[] Frames(int count, int topics)
    {
        var m = Health();
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var seqs = new long[topics];
        return Enumerable.Range(0, count).Select(i =>
        {
            var t = i % topics;
            var topic = "busy:" + t;
            return (topic, FrameEncoder.Encode(Keys, new Envelope(GaterInstance.Health, topic, m.Tag, "f" + i, "p@test", 1, ++seqs[t], ts), m));
        }).ToArray();
    }
}

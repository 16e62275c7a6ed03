using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using ExEsdbGater.Testing;
using StackExchange.Redis;

namespace ExEsdbGater.Redis.Tests;

/// <summary>The frame batch: its codec against hostile bytes, and bursts over a real redis-server.</summary>
public sealed class FrameBatchTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string Secret = "frame-batch-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private static readonly KeyRing Ring = KeyRing.Of(GaterKey.FromSecret(Secret));
    private static readonly RedisChannel Channel = RedisChannel.Literal("c");

    private static List<(RedisChannel, ReadOnlyMemory<byte>)> Pending(params byte[][] frames)
        => frames.Select(f => (Channel, (ReadOnlyMemory<byte>)f)).ToList();

    private static List<byte[]> Split(byte[] batch)
    {
        var count = FrameBatch.Count(batch);
        var frames = new List<byte[]>();
        for (int i = 0, offset = FrameBatch.Start; i < count; i++)
        {
            frames.Add(FrameBatch.Next(batch, ref offset).ToArray());
        }
        return frames;
    }

    private static byte[] Batch(params (uint Length, byte[] Bytes)[] entries)
    {
        var b = new List<byte>(FrameBatch.Magic.ToArray());
        foreach (var (length, bytes) in entries)
        {
            var l = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(l, length);
            b.AddRange(l);
            b.AddRange(bytes);
        }
        return [.. b];
    }

    private static byte[] Bytes(int n, byte fill = (byte)'x') => Enumerable.Repeat(fill, n).ToArray();

    [Fact]
    public void A_written_batch_splits_into_the_same_frames_in_order()
    {
        byte[][] frames = [Bytes(5), "exg1.abc"u8.ToArray(), Bytes(70_000, 7), "exgB-looking frame"u8.ToArray()];
        var batch = FrameBatch.Write(Pending(frames), 0, frames.Length - 1);
        Assert.True(FrameBatch.IsBatch(batch));
        Assert.Equal(4, FrameBatch.Count(batch));
        Assert.Equal(frames, Split(batch));
        // a slice of the list: only the frames asked for
        Assert.Equal(frames[1..3], Split(FrameBatch.Write(Pending(frames), 1, 2)));
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "magic only, no frame", FrameBatch.Magic.ToArray() },
        { "a length cut short", [.. FrameBatch.Magic, 0, 0, 0] },
        { "a length past the end", Batch((100, Bytes(99))) },
        { "bytes after the last frame", [.. Batch((5, Bytes(5))), 1] },
        { "an entry shorter than any frame", Batch((5, Bytes(5)), (4, Bytes(4))) },
        { "an empty entry", Batch((0, [])) },
        { "a length of 4 GiB", Batch((uint.MaxValue, Bytes(10))) },
        { "more frames than a batch may hold", Batch(Enumerable.Range(0, FrameBatch.MaxFrames + 1).Select(_ => (5u, Bytes(5))).ToArray()) },
        { "not a batch", "exg1.kid.sig.{}"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_batch_counts_no_frames(string what, byte[] batch)
    {
        Assert.True(FrameBatch.Count(batch) == 0, what);
    }

    [Fact]
    public void The_limits_of_a_batch_are_its_frame_count_and_the_shortest_frame()
    {
        Assert.Equal(FrameBatch.MaxFrames, FrameBatch.Count(Batch(Enumerable.Range(0, FrameBatch.MaxFrames).Select(_ => (5u, Bytes(5))).ToArray())));
        // no upper bound on an entry: bytes over 1 MiB that start like a batch must travel in one (the verifier
        // refuses such a frame by itself)
        Assert.Equal(1, FrameBatch.Count(Batch((2 * 1024 * 1024, Bytes(2 * 1024 * 1024)))));
        Assert.True(FrameBatch.CanHold(5) && FrameBatch.CanHold(2 * 1024 * 1024));
        Assert.False(FrameBatch.CanHold(4));
    }

    [Fact]
    public void Mutated_batches_either_split_into_frames_that_cover_them_exactly_or_count_none()
    {
        var rng = new Random(20261127);
        var valid = FrameBatch.Write(Pending(Bytes(5), Bytes(40, 1), Bytes(300, 2), Bytes(9, 3)), 0, 3);
        var split = 0;
        for (var n = 0; n < 100_000; n++)
        {
            var b = valid.ToArray();
            switch (rng.Next(3))
            {
                case 0:
                    b[rng.Next(b.Length)] = (byte)rng.Next(256);
                    break;
                case 1:
                    b = b[..rng.Next(b.Length)];
                    break;
                default:
                    b = [.. b, .. Bytes(rng.Next(1, 12), (byte)rng.Next(256))];
                    break;
            }
            var count = FrameBatch.Count(b);
            if (count == 0)
            {
                continue;
            }
            split++;
            // every byte belongs to the magic, a length or a frame: nothing skipped, nothing read twice
            var frames = Split(b);
            Assert.Equal(count, frames.Count);
            Assert.Equal(b.Length, FrameBatch.Magic.Length + frames.Sum(f => 4 + f.Length));
            Assert.Equal(b, Batch(frames.Select(f => ((uint)f.Length, f)).ToArray()));
        }
        Assert.True(split > 1000, $"only {split} mutations still split");
    }

    private Task<(IGaterBus Bus, IGaterBackplane Plane)> BusAsync(string prefix, string node, bool batch = true) => BusAsync(redis.ConnectionString, prefix, node, batch);

    private static async Task<(IGaterBus Bus, IGaterBackplane Plane)> BusAsync(string connectionString, string prefix, string node, bool batch, int receiveWorkers = 1)
    {
        var plane = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = connectionString, Prefix = prefix, BatchFrames = batch });
        return (GaterBus.Create(new GaterBusOptions { NodeName = node, Keys = Ring, Backplane = plane, ReceiveWorkers = receiveWorkers }), plane);
    }

    private static Task Until(Func<bool> condition, Func<string> what) => Waiting.UntilAsync(condition, what);

    // Every message on the channel, as Redis carried it.
    private static async Task<(ConnectionMultiplexer Mux, ConcurrentQueue<byte[]> Messages)> WatchAsync(string connectionString, string channel)
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(connectionString);
        var messages = new ConcurrentQueue<byte[]>();
        var queue = await mux.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
        queue.OnMessage(m => messages.Enqueue((byte[])m.Message!));
        return (mux, messages);
    }

    /// <summary>Bus A publishes to bus B over Redis; B's deliveries in <see cref="Seqs"/>, the channel's Redis messages in <see cref="Carried"/>.</summary>
    private sealed class WatchedPair(ConnectionMultiplexer watcher, ConcurrentQueue<byte[]> carried, IGaterBus a, IGaterBackplane planeA, IGaterBus b, IGaterBackplane planeB) : IAsyncDisposable
    {
        public IGaterBus A => a;

        public IGaterBus B => b;

        public ConcurrentQueue<long> Seqs { get; } = new();

        public ConcurrentQueue<byte[]> Carried => carried;

        public async ValueTask DisposeAsync()
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
            await planeA.DisposeAsync();
            await planeB.DisposeAsync();
            await watcher.DisposeAsync();
        }
    }

    private static async Task<WatchedPair> PairAsync(string connectionString, string prefixStart, bool batch, int receiveWorkers = 1)
    {
        var prefix = prefixStart + Guid.NewGuid().ToString("N")[..8] + ":";
        var (watcher, carried) = await WatchAsync(connectionString, RedisBackplane.ChannelName(prefix, GaterInstance.Health, "cluster:health"));
        var (a, planeA) = await BusAsync(connectionString, prefix, "a@h", batch);
        var (b, planeB) = await BusAsync(connectionString, prefix, "b@h", batch: true, receiveWorkers);
        var pair = new WatchedPair(watcher, carried, a, planeA, b, planeB);
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", (d, _) =>
        {
            pair.Seqs.Enqueue(d.Envelope!.Seq);
            return ValueTask.CompletedTask;
        }, new SubscriptionOptions { Capacity = 10_000 });
        return pair;
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 1)]
    [InlineData(true, 4)]
    public Task A_burst_arrives_whole_in_order_and_travels_in_fewer_redis_messages_only_when_batching(bool batch, int receiveWorkers)
        => BurstAsync(redis.ConnectionString, batch, receiveWorkers);

    /// <summary>
    /// A bus publishes a burst to another over Redis at <paramref name="connectionString"/>; a plain client watches the
    /// channel. With several receive workers the receiver verifies each batch on several threads at once.
    /// </summary>
    internal static async Task BurstAsync(string connectionString, bool batch, int receiveWorkers = 1)
    {
        await using var pair = await PairAsync(connectionString, "fb", batch, receiveWorkers);
        var (a, b, seqs, carried) = (pair.A, pair.B, pair.Seqs, pair.Carried);
        const int n = 3000;
        for (var i = 0; i < n; i++)
        {
            await a.BroadcastAsync("cluster:health", SampleMessages.Health(load: i));
        }
        await Until(() => seqs.Count == n, () => $"{n} deliveries (so far {seqs.Count})");
        Assert.Equal(Enumerable.Range(1, n).Select(i => (long)i), seqs);
        Assert.Equal(0, b.Statistics.Rejected);
        Assert.Equal(0, b.Statistics.Gaps);
        // with several workers, batches of 16 frames or more went to the lane whole (verified on several threads)
        var whole = ((ExEsdbGater.Bus.GaterBusCore)b).BatchesRoutedWhole;
        if (receiveWorkers > 1 && batch)
        {
            await Until(() => carried.Sum(m => FrameBatch.IsBatch(m) ? FrameBatch.Count(m) : 1) == n, () => $"{n} frames seen on the channel");
            var large = carried.Count(m => FrameBatch.IsBatch(m) && FrameBatch.Count(m) >= 16);
            Assert.True(large > 0, $"no Redis message of 16 frames or more among {carried.Count}");
            Assert.Equal(large, whole);
        }
        else
        {
            Assert.Equal(0, whole);
        }

        await Until(() => carried.Sum(m => FrameBatch.IsBatch(m) ? FrameBatch.Count(m) : 1) == n, () => $"{n} frames seen on the channel");
        var messages = carried.ToArray();
        Assert.All(messages, m => Assert.True(FrameBatch.IsBatch(m) ? FrameBatch.Count(m) > 0 : m.AsSpan().StartsWith("exg1."u8)));
        if (batch)
        {
            // a publisher that signs each frame is slower than the flush only at the very start of a burst
            Assert.True(messages.Length < n / 2, $"{messages.Length} Redis messages for {n} frames");
            // every batch stays off the large object heap, at the sender and at each receiver
            Assert.All(messages, m => Assert.True(m.Length < 85_000, $"a batch of {m.Length} bytes"));
        }
        else
        {
            Assert.Equal(n, messages.Length);
            Assert.DoesNotContain(messages, m => FrameBatch.IsBatch(m));
        }
    }

    [Fact]
    public async Task Frames_published_while_a_reply_is_awaited_wait_for_it_and_go_out_together()
    {
        await using var control = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        await using var pair = await PairAsync(redis.ConnectionString, "fr", batch: true);
        var (a, seqs, carried) = (pair.A, pair.Seqs, pair.Carried);
        // a lone frame goes at once, and its reply comes
        await a.BroadcastAsync("cluster:health", SampleMessages.Health(load: 0));
        await Until(() => seqs.Count == 1 && carried.Count == 1, () => "the first frame");

        // the server holds every command for a while: the next frame's PUBLISH waits for its reply there, and
        // the frames after it gather behind it, though each comes after the flush before it has long gone
        await control.GetServers()[0].ExecuteAsync("CLIENT", "PAUSE", "1500", "ALL");
        const int n = 50;
        for (var i = 1; i <= n; i++)
        {
            await a.BroadcastAsync("cluster:health", SampleMessages.Health(load: i));
            await Task.Delay(2);
        }
        await Until(() => seqs.Count == n + 1, () => $"{n + 1} deliveries (so far {seqs.Count})");
        Assert.Equal(Enumerable.Range(1, n + 1).Select(i => (long)i), seqs);
        await Until(() => carried.Sum(m => FrameBatch.IsBatch(m) ? FrameBatch.Count(m) : 1) == n + 1, () => "every frame on the channel");
        // what the first flush into the pause took (a frame or a few), then all the rest in one batch after its
        // reply: sent as they came, they were as many Redis messages as frames
        Assert.InRange(carried.Count - 1, 1, 2);
        Assert.True(FrameBatch.Count(carried.Last()) >= n / 2, $"{FrameBatch.Count(carried.Last())} frames in the last batch");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_frame_published_from_a_failure_report_is_sent_or_counted_even_after_an_empty_flush(bool flushedEmptyFirst)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var server = mux.GetServers()[0];
        var failed = new ConcurrentQueue<int>();
        PublishBatcher? batcher = null;
        var reports = 0;
        // a failure report that publishes (as a logger bridged to the bus may): that frame must be sent or counted
        var tracker = new PublishTracker((_, frames) =>
        {
            failed.Enqueue(frames);
            if (Interlocked.Increment(ref reports) == 1)
            {
                Assert.True(batcher!.Publish(RedisChannel.Literal("b"), Bytes(8, 2)));
            }
        });
        var calls = 0;
        // the cluster's path: the first PUBLISH finds no node, the next ones go to the real server
        Task Direct(RedisChannel channel, RedisValue message)
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "no cluster node is connected");
            }
            return server.ExecuteAsync("PUBLISH", [(RedisValue)(byte[]?)channel, message]);
        }
        batcher = new PublishBatcher(mux.GetDatabase(), tracker, batchFrames: true, Direct);
        if (flushedEmptyFirst)
        {
            batcher.Flush(); // nothing gathered yet
        }
        Assert.True(batcher.Publish(RedisChannel.Literal("a"), Bytes(8, 1)));
        await Waiting.UntilAsync(() => Volatile.Read(ref calls) + failed.Sum() >= 3 && failed.Sum() >= 1,
            () => $"the second frame sent or counted (PUBLISH calls {Volatile.Read(ref calls)}, failed {failed.Sum()})");
        Assert.Equal(2, Volatile.Read(ref calls));
        Assert.Equal(1, failed.Sum());
    }

    [Fact]
    public async Task Bytes_that_cannot_or_must_not_be_batched_arrive_unchanged_and_in_order()
    {
        var prefix = "fbraw" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var plane = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = redis.ConnectionString, Prefix = prefix });
        var got = new ConcurrentQueue<byte[]>();
        await using var sub = await plane.SubscribeAsync(GaterInstance.Health, "t", (_, _, f) => got.Enqueue(f.ToArray()));
        // too short for a batch, lone frames that start like one (the last is a whole batch's bytes, which a receiver
        // would split were it sent as it is, between frames no batch holds; one of them over 1 MiB), one larger than a
        // batch, the empty frame
        byte[][] sent = [Bytes(3), .. Enumerable.Range(0, 50).Select(i => Bytes(20 + i, (byte)i)), "exgB"u8.ToArray(), "exgB and more"u8.ToArray(),
            Bytes(300 * 1024, 9), [], FrameBatch.Write(Pending(Bytes(5), Bytes(6)), 0, 1), Bytes(3),
            FrameBatch.Write(Pending(Bytes(600_000, 1), Bytes(600_000, 2)), 0, 1), Bytes(3), Bytes(6)];
        foreach (var f in sent)
        {
            await plane.PublishAsync(GaterInstance.Health, "t", f);
        }
        await Until(() => got.Count == sent.Length, () => $"{sent.Length} frames (so far {got.Count})");
        Assert.Equal(sent, got);
    }

    [Fact]
    public async Task A_handler_that_throws_for_one_frame_of_a_batch_still_gets_the_frames_after_it()
    {
        var prefix = "fbthrow" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var plane = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = redis.ConnectionString, Prefix = prefix });
        var calls = new ConcurrentQueue<int>();
        await using var sub = await plane.SubscribeAsync(GaterInstance.Health, "t", (_, _, f) =>
        {
            var n = BinaryPrimitives.ReadInt32BigEndian(f.Span);
            calls.Enqueue(n);
            if (n % 10 == 0)
            {
                throw new InvalidOperationException("handler failed on " + n);
            }
        });
        const int total = 2000;
        for (var i = 0; i < total; i++)
        {
            var frame = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(frame, i);
            await plane.PublishAsync(GaterInstance.Health, "t", frame);
        }
        var connection = (RedisBackplaneConnection)plane;
        await Until(() => calls.Count == total, () => $"{total} calls (so far {calls.Count}, {connection.ReceiveHandlerFailures} failures)");
        Assert.Equal(Enumerable.Range(0, total), calls);
        Assert.Equal(total / 10, connection.ReceiveHandlerFailures);
    }

    [Fact]
    public async Task On_a_cluster_a_publish_that_throws_mid_flush_fails_the_rest_and_every_frame_is_counted_once()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var failed = new ConcurrentQueue<int>();
        var tracker = new PublishTracker((_, frames) => failed.Enqueue(frames));
        var replies = new ConcurrentQueue<TaskCompletionSource<long>>();
        var calls = 0;
        // the cluster's path: the first two PUBLISHes go out (replies pending), then no node is connected
        Task Direct(RedisChannel channel, RedisValue message)
        {
            if (Interlocked.Increment(ref calls) > 2)
            {
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "no cluster node is connected");
            }
            var reply = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            replies.Enqueue(reply);
            return reply.Task;
        }
        var batcher = new PublishBatcher(mux.GetDatabase(), tracker, batchFrames: true, Direct);
        // alternating channels: every frame is a run of its own, one PUBLISH each, however the flushes fall
        const int n = 10;
        for (var i = 0; i < n; i++)
        {
            Assert.True(batcher.Publish(RedisChannel.Literal(i % 2 == 0 ? "a" : "b"), Bytes(8, (byte)i)));
        }
        batcher.Close();
        Assert.Equal(2, replies.Count);
        await Until(() => failed.Sum() == n - 2, () => $"{n - 2} frames failed at once (so far {failed.Sum()})");
        replies.TryDequeue(out var first);
        replies.TryDequeue(out var second);
        first!.SetResult(1);
        second!.SetException(new RedisConnectionException(ConnectionFailureType.SocketClosed, "lost"));
        await Until(() => tracker.InFlight == 0 && failed.Sum() == n - 1, () => $"{n - 1} failures, nothing in flight (so far {failed.Sum()}, {tracker.InFlight})");
        // a throw ends its flush: the frames after it are counted, not tried (a later flush tries again)
        Assert.InRange(calls, 3, n);
    }

    [Fact]
    public async Task Frames_held_behind_a_reply_that_never_comes_go_out_once_it_is_overdue()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var tracker = new PublishTracker((_, _) => { }, TimeSpan.FromSeconds(10), time);
        var sent = new ConcurrentQueue<int>();
        // the first PUBLISH is never answered; later ones are at once
        Task Direct(RedisChannel channel, RedisValue message)
        {
            var first = sent.IsEmpty;
            sent.Enqueue(((ReadOnlyMemory<byte>)message).Span[^1]);
            return first ? new TaskCompletionSource<long>().Task : Task.FromResult(1L);
        }
        var batcher = new PublishBatcher(mux.GetDatabase(), tracker, batchFrames: false, Direct, time);
        Assert.True(batcher.Publish(RedisChannel.Literal("a"), Bytes(8, 1)));
        await Until(() => sent.Count == 1, () => "the first frame sent");
        Assert.True(batcher.Publish(RedisChannel.Literal("a"), Bytes(8, 2)));
        time.Advance(TimeSpan.FromSeconds(9));
        batcher.ReleaseOverdue(TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        Assert.Single(sent); // held for the first's reply, not overdue yet

        time.Advance(TimeSpan.FromSeconds(2));
        batcher.ReleaseOverdue(TimeSpan.FromSeconds(10));
        await Until(() => sent.Count == 2, () => "the held frame sent once the reply is overdue");
        Assert.Equal([1, 2], sent);
    }

    [Fact]
    public async Task The_backplane_fails_a_reply_that_never_comes_after_twice_the_clients_timeout_and_a_second()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.Equal(TimeSpan.FromSeconds(11), RedisBackplaneConnection.ReplyDeadline(mux));
        await using (var slow = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",asyncTimeout=20000"))
        {
            Assert.Equal(TimeSpan.FromSeconds(41), RedisBackplaneConnection.ReplyDeadline(slow));
        }
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var connection = new RedisBackplaneConnection(mux, "overdue:", null, ownsMux: false, batchFrames: true, 64L * 1024 * 1024, time);
        connection.Tracker.Track(new TaskCompletionSource<long>().Task, 3);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, connection.PublishFailures);
        Assert.Equal(1, connection.PublishesInFlight);
        // the connection's own once-a-second check, on its clock
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(3, connection.PublishFailures);
        Assert.Equal(0, connection.PublishesInFlight);
    }

    [Fact]
    public async Task Under_steady_traffic_a_reply_that_never_comes_is_still_released_and_frames_go_as_they_come()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var tracker = new PublishTracker((_, _) => { }, TimeSpan.FromSeconds(10), time);
        var publishes = 0;
        Task Direct(RedisChannel channel, RedisValue message)
            => Interlocked.Increment(ref publishes) == 1 ? new TaskCompletionSource<long>().Task : Task.FromResult(1L);
        var batcher = new PublishBatcher(mux.GetDatabase(), tracker, batchFrames: false, Direct, time);
        Assert.True(batcher.Publish(RedisChannel.Literal("a"), Bytes(8)));
        await Until(() => publishes == 1, () => "the first frame sent");

        // a full batch's worth goes without waiting, answered at once, 8 s after the unanswered one
        time.Advance(TimeSpan.FromSeconds(8));
        for (var i = 0; i < FrameBatch.MaxFrames; i++)
        {
            Assert.True(batcher.Publish(RedisChannel.Literal("a"), Bytes(8)));
        }
        await Until(() => publishes == 1 + FrameBatch.MaxFrames, () => $"the full batch sent (so far {publishes})");

        // the unanswered flush is overdue, the full batch's is not: released all the same, and a lone frame goes at once
        time.Advance(TimeSpan.FromSeconds(3));
        batcher.ReleaseOverdue(TimeSpan.FromSeconds(10));
        Assert.True(batcher.Publish(RedisChannel.Literal("a"), Bytes(8)));
        await Until(() => publishes == 2 + FrameBatch.MaxFrames, () => $"the lone frame sent (so far {publishes})");
    }

    [Fact]
    public async Task Hostile_batches_are_rejected_and_counted_and_the_good_frames_in_them_accepted()
    {
        var prefix = "fbh" + Guid.NewGuid().ToString("N")[..8] + ":";
        var (b, plane) = await BusAsync(prefix, "b@h");
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        try
        {
            var rejected = new ConcurrentQueue<FrameRejection>();
            b.FrameRejected += rejected.Enqueue;
            var delivered = new ConcurrentQueue<string>();
            await b.SubscribeAsync(GaterInstance.Health, "cluster:health", (d, _) =>
            {
                delivered.Enqueue(d.Envelope!.Id);
                return ValueTask.CompletedTask;
            });
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            byte[] Signed(string id, long seq)
            {
                var m = SampleMessages.Health();
                return FrameEncoder.Encode(Ring, new Envelope(GaterInstance.Health, "cluster:health", m.Tag, id, "pub@test", 1, seq, now), m);
            }
            var forged = Signed("forged", 2);
            forged[^3] ^= 1; // a byte of the payload changed after signing
            var channel = RedisChannel.Literal(RedisBackplane.ChannelName(prefix, GaterInstance.Health, "cluster:health"));
            var publisher = mux.GetSubscriber();

            // well-formed, of a good frame, a forged one and garbage: each judged on its own
            await publisher.PublishAsync(channel, FrameBatch.Write(Pending(Signed("good1", 1), forged, "exg1.garbage"u8.ToArray()), 0, 2));
            // lengths that do not add up: one rejection for the whole message, nothing delivered from it
            var broken = FrameBatch.Write(Pending(Signed("lost1", 3), Signed("lost2", 4)), 0, 1);
            await publisher.PublishAsync(channel, broken[..^1]);
            // too many frames: refused whole, though every frame in it is good
            await publisher.PublishAsync(channel, FrameBatch.Write(Pending(Enumerable.Range(0, FrameBatch.MaxFrames + 1).Select(i => Signed("many" + i.ToString(CultureInfo.InvariantCulture), 5 + i)).ToArray()), 0, FrameBatch.MaxFrames));
            // a batch of one good frame after it all: still accepted
            await publisher.PublishAsync(channel, FrameBatch.Write(Pending(Signed("good2", 300)), 0, 0));

            await Until(() => delivered.Count == 2 && rejected.Count == 4, () => $"2 deliveries and 4 rejections (so far {delivered.Count}, {rejected.Count})");
            Assert.Equal(["good1", "good2"], delivered);
            Assert.Equal([RejectReason.InvalidSignature, RejectReason.InvalidFormat, RejectReason.InvalidFormat, RejectReason.InvalidFormat], rejected.Select(r => r.Reason));
            // a refused batch is reported whole, with every byte of it
            Assert.Equal(broken.Length - 1, rejected.ElementAt(2).FrameLength);
            Assert.Equal(4, b.Statistics.Rejected);
        }
        finally
        {
            await b.DisposeAsync();
            await plane.DisposeAsync();
        }
    }
}

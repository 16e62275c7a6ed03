using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;
using ExEsdbGater.Tests.Bus;

namespace ExEsdbGater.Redis.Tests.Durable;

/// <summary>Durable instances on a real redis-server: groups, history, retention gaps, dead letters, forged entries.</summary>
public sealed class DurableTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private readonly string _prefix = "d" + Guid.NewGuid().ToString("N")[..8] + ":";

    private Task<DurableNode> NodeAsync(string node, RedisDurableOptions? options = null, TimeProvider? clock = null)
        => DurableNode.StartAsync(redis.ConnectionString, _prefix, node, options, clock);

    private string Stream => RedisDurableTransport.StreamKey(_prefix, GaterInstance.Audit);

    [Fact]
    public async Task Audit_security_and_alerts_are_durable_by_default_and_a_group_gets_every_entry_once()
    {
        await using var a = await NodeAsync("svc@a");
        await using var b = await NodeAsync("svc@b");
        await using var other = await NodeAsync("other@c");
        var handled = new ConcurrentQueue<(string Node, Delivery D)>();
        await a.Bus.SubscribeAsync(GaterInstance.Audit, "*", d => handled.Enqueue(("a", d)));
        await b.Bus.SubscribeAsync(GaterInstance.Audit, "*", d => handled.Enqueue(("b", d)));
        var everything = new ConcurrentQueue<Delivery>();
        await other.Bus.SubscribeAsync(GaterInstance.Audit, "*", everything.Enqueue);
        var only = new ConcurrentQueue<Delivery>();
        await other.Bus.SubscribeAsync(GaterInstance.Audit, "admin:7*", only.Enqueue);

        var receipts = new List<PublishReceipt>();
        for (var i = 0; i < 200; i++)
        {
            receipts.Add(await a.Bus.BroadcastAsync("admin:" + i.ToString(CultureInfo.InvariantCulture), DurableNode.Audit(i)));
        }
        await DurableNode.Until(() => handled.Count == 200 && everything.Count == 200 && only.Count == 11, "every entry");
        // the service's two processes shared the work, each entry once; another service got all of them
        Assert.Equal(Enumerable.Range(0, 200), handled.Select(h => DurableNode.Number(h.D)).Order());
        Assert.Equal(Enumerable.Range(0, 200), everything.Select(DurableNode.Number).Order());
        Assert.Equal(receipts.Select(r => r.StreamEntryId), everything.OrderBy(DurableNode.Number).Select(d => d.StreamEntryId));
        Assert.All(receipts, r => Assert.Matches(@"^\d+-\d+$", r.StreamEntryId));
        Assert.True(everything.All(d => !d.IsRedelivery && !d.IsLocal));
        Assert.Equal([7, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79], only.Select(DurableNode.Number).Order());
        Assert.Empty(a.Rejected.Concat(b.Rejected).Concat(other.Rejected));

        var options = new GaterBusOptions { DurableTransport = a.Transport };
        Assert.Equal([GaterInstance.Security, GaterInstance.Audit, GaterInstance.Alerts], GaterInstances.All.Where(i => options.DeliveryModeOf(i) == DeliveryMode.Durable));
        Assert.Equal(DeliveryMode.Volatile, new GaterBusOptions().DeliveryModeOf(GaterInstance.Audit));
        Assert.Equal(DeliveryMode.Volatile, (options with { DeliveryModes = new Dictionary<GaterInstance, DeliveryMode> { [GaterInstance.Audit] = DeliveryMode.Volatile } }).DeliveryModeOf(GaterInstance.Audit));
        Assert.Throws<GaterConfigurationException>(() => GaterBus.Create(new GaterBusOptions { Keys = DurableNode.Ring, DeliveryModes = new Dictionary<GaterInstance, DeliveryMode> { [GaterInstance.Health] = DeliveryMode.Durable } }));
        var length = await RedisProcess.CliAsync(redis.Port, "XLEN", Stream);
        Assert.Equal("200", length.Trim());
    }

    [Fact]
    public async Task History_reads_from_the_beginning_a_time_and_an_entry_id_up_to_until()
    {
        await using var pub = await NodeAsync("pub@a");
        var receipts = new List<PublishReceipt>();
        for (var i = 0; i < 30; i++)
        {
            receipts.Add(await pub.Bus.BroadcastAsync("admin:x", DurableNode.Audit(i)));
            if (i == 14)
            {
                await Task.Delay(30);
            }
        }
        StreamPosition.TryParseEntryId(receipts[15].StreamEntryId, out var ms15, out _);
        await using var reader = await NodeAsync("review@b");

        async Task<int[]> ReadAsync(StreamPosition from, StreamPosition? until)
        {
            await using var s = await reader.Bus.OpenStreamAsync(GaterInstance.Audit, "*", new SubscriptionOptions { From = from, Until = until });
            var got = new List<int>();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await foreach (var d in s.ReadAllAsync(cts.Token))
            {
                got.Add(DurableNode.Number(d));
            }
            return [.. got];
        }

        var last = StreamPosition.AtEntry(receipts[^1].StreamEntryId!);
        Assert.Equal(Enumerable.Range(0, 30), await ReadAsync(StreamPosition.Beginning, last));
        Assert.Equal(Enumerable.Range(15, 15), await ReadAsync(StreamPosition.At(DateTimeOffset.FromUnixTimeMilliseconds(ms15)), last));
        Assert.Equal(Enumerable.Range(10, 11), await ReadAsync(StreamPosition.AtEntry(receipts[10].StreamEntryId!), StreamPosition.AtEntry(receipts[20].StreamEntryId!)));
        Assert.True(StreamPosition.TryParse("beginning", out var p) && p.IsBeginning);
        Assert.True(StreamPosition.TryParse("2026-11-27T10:00:00Z", out p) && p.Time == new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
        Assert.True(StreamPosition.TryParse(receipts[3].StreamEntryId, out p) && p.EntryId == receipts[3].StreamEntryId);
        Assert.False(StreamPosition.TryParse("yesterday", out _));

        // without until, a history reader follows new entries after the backlog
        var followed = new ConcurrentQueue<int>();
        await using var follow = await reader.Bus.SubscribeAsync(GaterInstance.Audit, "*", d => followed.Enqueue(DurableNode.Number(d)), new SubscriptionOptions { From = StreamPosition.AtEntry(receipts[28].StreamEntryId!) });
        await pub.Bus.BroadcastAsync("admin:x", DurableNode.Audit(30));
        await DurableNode.Until(() => followed.Count == 3, "the followed entry");
        Assert.Equal([28, 29, 30], followed);
        Assert.Empty(reader.Rejected);
    }

    [Fact]
    public async Task Entries_trimmed_before_the_group_read_them_are_reported_as_a_gap_with_exact_counts()
    {
        await using var pub = await NodeAsync("pub@a", new RedisDurableOptions { ConnectionString = "", MaxLength = 50 });
        await using var consumer = await NodeAsync("slow@b");
        // the group exists, then its consumer goes away while 1,000 entries are appended to a stream kept at ~50
        var sub = await consumer.Bus.SubscribeAsync(GaterInstance.Audit, "*", _ => { });
        await sub.DisposeAsync();
        for (var i = 0; i < 1000; i++)
        {
            await pub.Bus.BroadcastAsync("admin:x", DurableNode.Audit(i));
        }
        var handled = new ConcurrentQueue<int>();
        var again = (IGaterDurableSubscription)await consumer.Bus.SubscribeAsync(GaterInstance.Audit, "*", d => handled.Enqueue(DurableNode.Number(d)));
        var kept = int.Parse((await RedisProcess.CliAsync(redis.Port, "XLEN", Stream)).Trim(), CultureInfo.InvariantCulture);
        await DurableNode.Until(() => handled.Count == kept, "what retention kept");
        await DurableNode.Until(() => !consumer.Gaps.IsEmpty, "the gap event");
        Assert.InRange(kept, 50, 999);
        // what was handled is the newest `kept`, in order; all the rest is reported, exactly
        Assert.Equal(Enumerable.Range(1000 - kept, kept), handled);
        var gap = Assert.Single(consumer.Gaps);
        Assert.Equal(1000 - kept, gap.Missing);
        Assert.Equal(1000 - kept, again.Missing);
        Assert.Equal("slow", gap.Group);
        Assert.Equal(1000 - kept, consumer.Bus.Statistics.Gaps);

        // a history reader from the beginning is told how many entries came before the first one kept
        var history = (IGaterDurableSubscription)await consumer.Bus.OpenStreamAsync(GaterInstance.Audit, "*", new SubscriptionOptions { From = StreamPosition.Beginning, Until = StreamPosition.At(DateTimeOffset.UtcNow.AddMinutes(1)) });
        var count = 0;
        await foreach (var _ in history.ReadAllAsync())
        {
            count++;
        }
        Assert.Equal(kept, count);
        Assert.Equal(1000 - kept, history.Missing);
        await history.DisposeAsync();
        await again.DisposeAsync();
    }

    [Fact]
    public async Task A_handler_that_keeps_failing_moves_the_entry_to_the_dead_letter_stream_after_N_tries()
    {
        await using var node = await NodeAsync("svc@a");
        var calls = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<HandlerFailure>();
        node.Bus.HandlerFailed += failures.Enqueue;
        var sub = (IGaterDurableSubscription)await node.Bus.SubscribeAsync(GaterInstance.Audit, "*", (d, _) =>
        {
            var n = DurableNode.Number(d);
            calls.AddOrUpdate(n, 1, (_, c) => c + 1);
            return n == 3 ? throw new InvalidOperationException("poison") : ValueTask.CompletedTask;
        }, new SubscriptionOptions { MaxDeliveryAttempts = 3 });
        var receipts = new List<PublishReceipt>();
        for (var i = 0; i < 6; i++)
        {
            receipts.Add(await node.Bus.BroadcastAsync("admin:x", DurableNode.Audit(i)));
        }
        await DurableNode.Until(() => sub.Acknowledged == 6, "every entry acknowledged or dead-lettered");
        Assert.Equal(3, calls[3]);
        Assert.All(Enumerable.Range(0, 6).Where(i => i != 3), i => Assert.Equal(1, calls[i]));
        Assert.Equal(1, sub.DeadLettered);
        Assert.Equal(3, failures.Count);
        var dead = await RedisProcess.CliAsync(redis.Port, "XRANGE", RedisDurableTransport.DeadLetterKey(_prefix, GaterInstance.Audit), "-", "+");
        Assert.Contains(receipts[3].StreamEntryId!, dead, StringComparison.Ordinal);
        Assert.Contains("failed 3 time(s): InvalidOperationException: poison", dead, StringComparison.Ordinal);
        // nothing is left pending for the group
        var pending = await RedisProcess.CliAsync(redis.Port, "XPENDING", Stream, "svc");
        Assert.StartsWith("0", pending.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forged_and_re_added_entries_are_rejected_while_a_backlog_is_judged_at_its_entry_time()
    {
        // the receiver's clock runs 10 minutes ahead (twice the max age): a pub/sub frame would be expired, an entry is not
        await using var receiver = await NodeAsync("r@b", clock: new Ahead(TimeSpan.FromMinutes(10)));
        await using var pub = await NodeAsync("pub@a");
        var handled = new ConcurrentQueue<Delivery>();
        var sub = (IGaterDurableSubscription)await receiver.Bus.SubscribeAsync(GaterInstance.Audit, "*", handled.Enqueue);
        await pub.Bus.BroadcastAsync("admin:x", DurableNode.Audit(1));
        await DurableNode.Until(() => handled.Count == 1, "the genuine entry");

        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = mux.GetDatabase();
        var m = DurableNode.Audit(2);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var forger = KeyRing.Of(GaterKey.FromSecret("forger-secret-0123456789-abcdefghijklmnopqrstuvwxyz", DurableNode.Ring.SigningKey!.Kid));
        byte[] Frame(KeyRing keys, string id, long ts, string topic = "admin:x") => FrameEncoder.Encode(keys, new Envelope(GaterInstance.Audit, topic, m.Tag, id, "pub@a", 1, 1, ts), m);
        async Task AddAsync(byte[] frame, string topic = "admin:x") => await db.StreamAddAsync(Stream, [new("n", 0), new("t", topic), new("f", frame)]);

        await AddAsync(Frame(forger, "forged", now));                      // another key
        await AddAsync(Frame(DurableNode.Ring, "old", now - 400_000));     // a genuine frame, 400 s old, added as new
        var fresh = Frame(DurableNode.Ring, "fresh", now);
        await AddAsync(fresh);                                              // genuine
        await AddAsync(fresh);                                              // the same frame in a second entry
        await AddAsync(Frame(DurableNode.Ring, "moved", now), "admin:y");  // filed under another topic
        await DurableNode.Until(() => receiver.Rejected.Count == 4 && sub.Acknowledged == 6, "every entry judged");
        Assert.Equal([RejectReason.InvalidSignature, RejectReason.Expired, RejectReason.Replayed, RejectReason.TopicMismatch], receiver.Rejected.Select(r => r.Reason));
        Assert.Equal([1, 2], handled.Select(DurableNode.Number));
        Assert.Equal("fresh", handled.Last().Envelope!.Id);
    }

    // A durable handler's loop started from inside a Wait-mode handler's call (subscribed there) carries that call's
    // mark with its flow unless it clears it: its publish into the outer handler's full queue would then be refused
    // while the outer call runs, instead of waiting for room like any publisher's.
    [Fact(Timeout = 60_000)]
    public async Task A_durable_handler_subscribed_from_inside_a_handler_waits_like_any_publisher()
    {
        await using var node = await NodeAsync("svc@a");
        var bus = node.Bus;
        await InheritedMarkScenario.RunAsync(bus,
            (forward, ct) => bus.SubscribeAsync(GaterInstance.Audit, "*", (_, ct2) => new ValueTask(forward(ct2)), cancellationToken: ct).AsTask(),
            () => bus.BroadcastAsync("admin:x", DurableNode.Audit(1)).AsTask());
    }

    private sealed class Ahead(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + by;
    }
}

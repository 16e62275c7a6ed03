using System.Collections.Concurrent;
using ExEsdbGater;

namespace ExEsdbGater.Tests.Bus;

/// <summary>
/// The behaviour every backplane must give the bus. A backplane's test class inherits this and says how to
/// open connections to one shared medium (the ChannelTestBase pattern).
/// </summary>
public abstract class BackplaneContractTests : IAsyncLifetime
{
    protected const string Secret = "contract-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>Opens a new connection to the shared medium under test.</summary>
    protected abstract ValueTask<IGaterBackplane> ConnectAsync();

    /// <summary>How long to wait for something that should happen.</summary>
    protected virtual TimeSpan Patience => TimeSpan.FromSeconds(10);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    protected async Task<IGaterBus> NodeAsync(string node)
    {
        var backplane = await ConnectAsync();
        var bus = GaterBus.Create(new GaterBusOptions
        {
            NodeName = node,
            Keys = KeyRing.Of(GaterKey.FromSecret(Secret)),
            Backplane = backplane,
        });
        _owned.Add(backplane);
        _owned.Add(bus);
        return bus;
    }

    protected async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(10);
        }
    }

    private static NodeHealth Health(string node = "a@h", double load = 0.1) => HealthMessages.NodeHealth(node, NodeHealthStatus.Healthy, loadAvg: load);

    [Fact]
    public async Task Messages_reach_subscribers_on_other_nodes_typed_and_verified()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var got = new ConcurrentQueue<(NodeHealth, Envelope)>();
        await b.SubscribeAsync<NodeHealth>("cluster:health", (m, e) => got.Enqueue((m, e)));
        var sent = Health();
        await a.BroadcastAsync("cluster:health", sent);
        await Eventually(() => got.Count == 1, "delivery");
        var (m, e) = got.Single();
        Assert.Equal(sent, m);
        Assert.Equal("a@test", e.Node);
        Assert.Equal(a.Epoch, e.Epoch);
        Assert.Equal(1, b.Statistics.Verified);
    }

    [Fact]
    public async Task Every_instance_and_type_crosses()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var got = new ConcurrentBag<GaterMessage>();
        foreach (var instance in GaterInstances.All)
        {
            await b.SubscribeAsync(instance, "s:*", d => got.Add(d.Message!));
        }
        var sent = Catalog.Samples.OnePerType().Append(new ApplicationEvent("order_placed", JsonMap.Of(("n", 1)))).ToArray();
        foreach (var m in sent)
        {
            await a.BroadcastAsync("s:" + m.Instance.WireName(), m);
        }
        await Eventually(() => got.Count == sent.Length, "all types");
        Assert.Equal(sent.ToHashSet(), got.ToHashSet());
    }

    [Fact]
    public async Task Patterns_match_any_run_of_characters()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var byStore = new ConcurrentBag<string>();
        var byHealth = new ConcurrentBag<string>();
        var marker = new ConcurrentBag<string>();
        await b.SubscribeAsync(GaterInstance.Health, "orders:*", d => byStore.Add(d.Envelope!.Topic));
        await b.SubscribeAsync(GaterInstance.Health, "*:health", d => byHealth.Add(d.Envelope!.Topic));
        await b.SubscribeAsync(GaterInstance.Health, "zz:end", d => marker.Add(d.Envelope!.Topic));
        foreach (var t in new[] { "orders:health", "orders:x", "cluster:health", "other:y", "orders", "zz:end" })
        {
            await a.BroadcastAsync(t, Health());
        }
        await Eventually(() => !marker.IsEmpty, "marker");
        await Task.Delay(50);
        Assert.Equal(["orders:health", "orders:x"], byStore.Order());
        Assert.Equal(["cluster:health", "orders:health"], byHealth.Order());
    }

    [Fact]
    public async Task Messages_from_one_publisher_arrive_in_order()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var seqs = new ConcurrentQueue<long>();
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", d => seqs.Enqueue(d.Envelope!.Seq), new SubscriptionOptions { Capacity = 1000 });
        for (var i = 0; i < 300; i++)
        {
            await a.BroadcastAsync("cluster:health", Health(load: i));
        }
        await Eventually(() => seqs.Count == 300, "300 deliveries");
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), seqs);
        Assert.Equal(0, b.Statistics.Gaps);
    }

    [Fact]
    public async Task Unsubscribed_handlers_receive_nothing_more()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var count = 0;
        var marker = 0;
        var sub = await b.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref count));
        await b.SubscribeAsync(GaterInstance.Health, "cluster:*", _ => Interlocked.Increment(ref marker));
        await a.BroadcastAsync("cluster:health", Health());
        await Eventually(() => Volatile.Read(ref count) == 1 && Volatile.Read(ref marker) == 1, "first");
        await sub.DisposeAsync();
        await a.BroadcastAsync("cluster:health", Health());
        await Eventually(() => Volatile.Read(ref marker) == 2, "second reaches the other subscription");
        await Task.Delay(50);
        Assert.Equal(1, Volatile.Read(ref count));
    }

    [Fact]
    public async Task A_throwing_handler_is_isolated_and_reported()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var failures = new ConcurrentBag<HandlerFailure>();
        b.HandlerFailed += failures.Add;
        var good = 0;
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => throw new InvalidOperationException("boom"), new SubscriptionOptions { Name = "bad" });
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref good));
        for (var i = 0; i < 5; i++)
        {
            await a.BroadcastAsync("cluster:health", Health());
        }
        await Eventually(() => Volatile.Read(ref good) == 5 && failures.Count == 5, "5 good, 5 failures");
        Assert.All(failures, f => Assert.Equal("bad", f.Subscription));
        Assert.All(failures, f => Assert.IsType<InvalidOperationException>(f.Exception));
        Assert.Equal(5, b.Statistics.HandlerErrors);
    }

    [Fact]
    public async Task A_slow_consumer_drops_and_is_reported_without_slowing_others()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        using var gate = new SemaphoreSlim(0);
        var slow = new ConcurrentBag<SlowConsumer>();
        b.SlowConsumerDetected += slow.Add;
        var fast = 0;
        var sub = await b.SubscribeAsync(GaterInstance.Health, "cluster:health", async (_, ct) => await gate.WaitAsync(ct),
            new SubscriptionOptions { Capacity = 2, FullMode = QueueFullMode.DropOldest, Name = "slow" });
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref fast));
        for (var i = 0; i < 20; i++)
        {
            await a.BroadcastAsync("cluster:health", Health());
        }
        await Eventually(() => Volatile.Read(ref fast) == 20, "fast subscriber gets all");
        await Eventually(() => sub.Dropped >= 17, "slow subscriber drops");
        Assert.Contains(slow, s => s.Subscription == "slow");
        Assert.Equal(sub.Dropped, b.Statistics.Dropped);
        gate.Release(100);
    }

    [Fact]
    public async Task A_full_wait_mode_subscriber_still_gets_everything_in_order()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        using var gate = new SemaphoreSlim(0);
        var seqs = new ConcurrentQueue<long>();
        var others = 0;
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", async (d, ct) =>
        {
            await gate.WaitAsync(ct);
            seqs.Enqueue(d.Envelope!.Seq);
        }, new SubscriptionOptions { Capacity = 2, FullMode = QueueFullMode.Wait });
        await b.SubscribeAsync(GaterInstance.Health, "cluster:*", _ => Interlocked.Increment(ref others));
        for (var i = 0; i < 30; i++)
        {
            await a.BroadcastAsync("cluster:health", Health());
        }
        await Task.Delay(200);
        gate.Release(1000);
        await Eventually(() => seqs.Count == 30 && Volatile.Read(ref others) == 30, "all 30 after the consumer caught up");
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), seqs);
        Assert.Equal(0, b.Statistics.Dropped);
        Assert.Equal(0, b.Statistics.Gaps);
    }

    [Fact]
    public async Task Lost_frames_show_up_as_gaps()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var gaps = new ConcurrentBag<SequenceGap>();
        b.GapDetected += gaps.Add;
        var got = 0;
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref got));
        await a.BroadcastAsync("cluster:health", Health());
        await Eventually(() => Volatile.Read(ref got) == 1, "first");
        // a frame from the same publisher and epoch, two sequence numbers later: two were lost
        var raw = await ConnectAsync();
        _owned.Add(raw);
        var m = Health();
        var env = new Envelope(GaterInstance.Health, "cluster:health", m.Tag, "gap-test", "a@test", a.Epoch, 4, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await raw.PublishAsync(GaterInstance.Health, "cluster:health", FrameEncoder.Encode(KeyRing.Of(GaterKey.FromSecret(Secret)), env, m));
        await Eventually(() => !gaps.IsEmpty, "gap");
        var gap = gaps.Single();
        Assert.Equal(2, gap.Missing);
        Assert.Equal(2, gap.Expected);
        Assert.Equal(4, gap.Received);
        Assert.Equal(2, b.Statistics.Gaps);
    }

    [Fact]
    public async Task Own_messages_reach_own_subscribers_exactly_once()
    {
        var a = await NodeAsync("a@test");
        var got = 0;
        await a.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref got));
        await a.BroadcastAsync("cluster:health", Health());
        await Eventually(() => a.Statistics.Echoes + Volatile.Read(ref got) >= 1, "local delivery");
        await Task.Delay(200);
        Assert.Equal(1, Volatile.Read(ref got));
    }

    [Fact]
    public async Task Forged_frames_are_rejected_counted_and_observable()
    {
        var b = await NodeAsync("b@test");
        var rejected = new ConcurrentBag<FrameRejection>();
        b.FrameRejected += rejected.Add;
        var stream = await b.OpenStreamAsync(GaterInstance.Health, "cluster:*", new SubscriptionOptions { IncludeRejections = true });
        var raw = await ConnectAsync();
        _owned.Add(raw);
        var m = Health();
        var env = new Envelope(GaterInstance.Health, "cluster:health", m.Tag, "forged", "rogue@x", 1, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        // the rogue knows the kid but not the secret
        var rogueKey = GaterKey.FromSecret("rogue-secret-0123456789-abcdefghijklmnopqrstuvwxyz", GaterKey.FromSecret(Secret).Kid);
        var forged = FrameEncoder.Encode(KeyRing.Of(rogueKey), env, m);
        await raw.PublishAsync(GaterInstance.Health, "cluster:health", forged);
        await Eventually(() => !rejected.IsEmpty, "rejection");
        Assert.Equal(RejectReason.InvalidSignature, rejected.Single().Reason);
        Assert.Equal(forged, rejected.Single().Frame.ToArray());
        using var cts = new CancellationTokenSource(Patience);
        var d = await stream.Reader.ReadAsync(cts.Token);
        Assert.Null(d.Message);
        Assert.Equal(RejectReason.InvalidSignature, d.Rejection!.Reason);
        Assert.Equal(1, b.Verifier.RejectedCount(RejectReason.InvalidSignature));
    }

    [Fact]
    public async Task Broadcast_from_skips_the_sender_only()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var s1 = 0;
        var s2 = 0;
        var remote = 0;
        var sender = await a.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref s1));
        await a.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref s2));
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref remote));
        var receipt = await a.BroadcastFromAsync(sender, "cluster:health", Health());
        Assert.Equal(1, receipt.LocalDeliveries);
        await Eventually(() => Volatile.Read(ref s2) == 1 && Volatile.Read(ref remote) == 1, "others");
        await Task.Delay(50);
        Assert.Equal(0, Volatile.Read(ref s1));
    }

    [Fact]
    public async Task Local_broadcast_stays_in_the_process()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var local = 0;
        var remote = 0;
        await a.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref local));
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref remote));
        var receipt = await a.LocalBroadcastAsync("cluster:health", Health());
        Assert.Equal(0, receipt.FrameBytes);
        await Eventually(() => Volatile.Read(ref local) == 1, "local");
        await a.BroadcastAsync("cluster:health", Health());
        await Eventually(() => Volatile.Read(ref remote) == 1, "remote after a real broadcast");
        await Task.Delay(50);
        Assert.Equal(1, Volatile.Read(ref remote));
    }
}

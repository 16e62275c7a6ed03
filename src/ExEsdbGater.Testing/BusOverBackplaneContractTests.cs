using System.Collections.Concurrent;

namespace ExEsdbGater.Testing;

/// <summary>
/// What the bus (<see cref="GaterBus"/>) must do over a backplane: typed, verified delivery between nodes on every
/// instance, patterns, order, unsubscribe, slow and blocked consumers, sequence gaps, exactly-once local delivery,
/// forged frames, <c>BroadcastFrom</c> and local broadcasts.
/// </summary>
/// <remarks>
/// Derive one class, override <see cref="ConnectAsync"/> to open a new connection to one shared medium (new per test),
/// and every test runs with buses (nodes) over that transport — see <see cref="BackplaneContractTests"/> for an example.
/// Test the transport on its own with <see cref="BackplaneContractTests"/> as well: the bus subscribes with <c>*</c>
/// only, so it never exercises the transport's own pattern matching.
/// </remarks>
public abstract class BusOverBackplaneContractTests : IAsyncLifetime
{
    /// <summary>The secret every node of a test shares.</summary>
    protected const string Secret = "contract-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>Opens a new connection to the medium under test; every call of one test reaches the same medium.</summary>
    protected abstract ValueTask<IGaterBackplane> ConnectAsync();

    /// <summary>How long to wait for something that should happen; a safety limit, not a speed requirement. Default 10 s.</summary>
    protected virtual TimeSpan Patience => TimeSpan.FromSeconds(10);

    /// <summary>The messages <see cref="Every_instance_and_type_crosses"/> sends; by default <see cref="SampleMessages.OnePerType"/>.</summary>
    protected virtual IReadOnlyList<GaterMessage> OnePerType() => SampleMessages.OnePerType();

    /// <summary>Runs before each test; nothing by default.</summary>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test: disposes every bus and connection the test made, last first.</summary>
    public virtual async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    /// <summary>A bus named <paramref name="node"/> on a new connection, keyed with <see cref="Secret"/>; disposed after the test.</summary>
    protected async Task<IGaterBus> NodeAsync(string node)
    {
        var backplane = await OpenAsync();
        var bus = GaterBus.Create(new GaterBusOptions
        {
            NodeName = node,
            Keys = KeyRing.Of(GaterKey.FromSecret(Secret)),
            Backplane = backplane,
        });
        _owned.Add(bus);
        return bus;
    }

    /// <summary>Opens a raw connection with <see cref="ConnectAsync"/> (to inject frames) and disposes it after the test.</summary>
    protected async Task<IGaterBackplane> OpenAsync()
    {
        var backplane = await ConnectAsync();
        _owned.Add(backplane);
        return backplane;
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test after <see cref="Patience"/>.</summary>
    protected Task Eventually(Func<bool> condition, string what) => Waiting.UntilAsync(condition, what, Patience);

    private static NodeHealth Health(double load = 0.1) => SampleMessages.Health(load);

    private static double Load(Delivery d) => ((NodeHealth)d.Message!).LoadAvg!.Value;

    /// <summary>A message reaches a typed subscriber on another node, equal to what was sent, with the sender's envelope, verified.</summary>
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

    /// <summary>One message of every type, on every instance, crosses to another node unchanged.</summary>
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
        var sent = OnePerType();
        Assert.Equal(GaterInstances.All.ToHashSet(), sent.Select(m => m.Instance).ToHashSet());
        foreach (var m in sent)
        {
            await a.BroadcastAsync("s:" + m.Instance.WireName(), m);
        }
        await Eventually(() => got.Count == sent.Count, "all types");
        Assert.Equal(sent.ToHashSet(), got.ToHashSet());
    }

    /// <summary>Bus patterns match any run of characters; each subscription gets exactly its topics.</summary>
    [Fact]
    public async Task Patterns_match_any_run_of_characters()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var byStore = new ConcurrentQueue<(string, double)>();
        var byHealth = new ConcurrentQueue<(string, double)>();
        await b.SubscribeAsync(GaterInstance.Health, "orders:*", d => byStore.Enqueue((d.Envelope!.Topic, Load(d))));
        await b.SubscribeAsync(GaterInstance.Health, "*:health", d => byHealth.Enqueue((d.Envelope!.Topic, Load(d))));
        var markers = 0;
        await b.SubscribeAsync(GaterInstance.Health, "*", d => Interlocked.Add(ref markers, Load(d) == 99 ? 1 : 0));
        var topics = new[] { "orders:health", "orders:x", "cluster:health", "other:y", "orders", "zz:end" };
        foreach (var t in topics)
        {
            await a.BroadcastAsync(t, Health());
        }
        // topics are received in parallel (GaterBusOptions.ReceiveWorkers), so order holds per topic: a last marker
        // on every topic, once seen, means every frame is in the subscribers' queues; a local one queued behind
        // them all means each subscriber has handled them
        foreach (var t in topics)
        {
            await a.BroadcastAsync(t, Health(load: 99));
        }
        await Eventually(() => Volatile.Read(ref markers) == topics.Length, "the markers");
        await b.LocalBroadcastAsync("orders:health", Health(load: 7));
        await Eventually(() => byStore.Any(x => x.Item2 == 7) && byHealth.Any(x => x.Item2 == 7), "the local marker on both");
        Assert.Equal(["orders:health", "orders:health", "orders:health", "orders:x", "orders:x"], byStore.Select(x => x.Item1).Order(StringComparer.Ordinal));
        Assert.Equal(["cluster:health", "cluster:health", "orders:health", "orders:health", "orders:health"], byHealth.Select(x => x.Item1).Order(StringComparer.Ordinal));
        Assert.Equal([0.1, 99, 7], byStore.Where(x => x.Item1 == "orders:health").Select(x => x.Item2));
        Assert.Equal([0.1, 99, 7], byHealth.Where(x => x.Item1 == "orders:health").Select(x => x.Item2));
    }

    /// <summary>Messages from one publisher arrive in order, with consecutive sequence numbers and no gaps.</summary>
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

    /// <summary>A disposed subscription gets nothing published after, while another on the same topic does.</summary>
    [Fact]
    public async Task Unsubscribed_handlers_receive_nothing_more()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var gone = new ConcurrentQueue<double>();
        var stays = new ConcurrentQueue<double>();
        var sub = await b.SubscribeAsync(GaterInstance.Health, "cluster:health", d => gone.Enqueue(Load(d)));
        await b.SubscribeAsync(GaterInstance.Health, "cluster:*", d => stays.Enqueue(Load(d)));
        await a.BroadcastAsync("cluster:health", Health(load: 1));
        await Eventually(() => gone.Count == 1 && stays.Count == 1, "first");
        await sub.DisposeAsync();
        await a.BroadcastAsync("cluster:health", Health(load: 2));
        await a.BroadcastAsync("cluster:health", Health(load: 99));
        await Eventually(() => stays.Contains(99), "the marker on the other subscription");
        Assert.Equal([1.0, 2, 99], stays);
        Assert.Equal([1.0], gone);
    }

    /// <summary>A throwing handler is reported per message and never stops another subscription.</summary>
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

    /// <summary>A slow DropOldest subscriber drops and is reported; a fast one on the same topic gets everything.</summary>
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
        // released whatever happens: a handler still waiting would hold the bus's disposal forever
        try
        {
            for (var i = 0; i < 20; i++)
            {
                await a.BroadcastAsync("cluster:health", Health());
            }
            await Eventually(() => Volatile.Read(ref fast) == 20, "fast subscriber gets all");
            await Eventually(() => sub.Dropped >= 17, "slow subscriber drops");
            // reports reach observers from the bus's event queue, after the drop itself
            await Eventually(() => slow.Any(s => s.Subscription == "slow"), "the slow consumer reported");
            await Eventually(() => sub.Dropped == b.Statistics.Dropped, "the bus counting the subscriber's drops");
        }
        finally
        {
            gate.Release(100);
        }
    }

    /// <summary>A full Wait-mode subscriber holds the others back instead of losing messages, then gets all of them in order.</summary>
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
        try
        {
            for (var i = 0; i < 30; i++)
            {
                await a.BroadcastAsync("cluster:health", Health());
            }
            // every frame has reached the bus while the consumer is blocked: the rest wait in the bus, not lost
            await Eventually(() => b.Statistics.Received == 30, "30 frames received");
            Assert.True(Volatile.Read(ref others) < 30, "the blocked Wait-mode subscriber did not hold back later deliveries");
        }
        finally
        {
            // released whatever happens: a handler still waiting would hold the bus's disposal forever
            gate.Release(1000);
        }
        await Eventually(() => seqs.Count == 30 && Volatile.Read(ref others) == 30, "all 30 after the consumer caught up");
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), seqs);
        Assert.Equal(0, b.Statistics.Dropped);
        Assert.Equal(0, b.Statistics.Gaps);
    }

    /// <summary>A frame two sequence numbers ahead shows up as a gap of two, counted and raised.</summary>
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
        var raw = await OpenAsync();
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

    /// <summary>A node's own broadcast reaches its own subscriber once: the copy coming back over the backplane is dropped as an echo.</summary>
    [Fact]
    public async Task Own_messages_reach_own_subscribers_exactly_once()
    {
        var a = await NodeAsync("a@test");
        var got = new ConcurrentQueue<double>();
        await a.SubscribeAsync(GaterInstance.Health, "cluster:health", d => got.Enqueue(Load(d)));
        await a.BroadcastAsync("cluster:health", Health(load: 1));
        await Eventually(() => a.Statistics.Echoes == 1, "the echo back from the backplane");
        // a local marker queues behind anything the echo could have delivered
        await a.LocalBroadcastAsync("cluster:health", Health(load: 99));
        await Eventually(() => got.Contains(99), "the local marker");
        Assert.Equal([1.0, 99], got);
    }

    /// <summary>A frame signed with the right kid but a wrong secret is rejected, counted, raised, and streamed to subscribers that ask for rejections.</summary>
    [Fact]
    public async Task Forged_frames_are_rejected_counted_and_observable()
    {
        var b = await NodeAsync("b@test");
        var rejected = new ConcurrentBag<FrameRejection>();
        b.FrameRejected += rejected.Add;
        var stream = await b.OpenStreamAsync(GaterInstance.Health, "cluster:*", new SubscriptionOptions { IncludeRejections = true });
        var raw = await OpenAsync();
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

    /// <summary><c>BroadcastFrom</c> skips the sending subscription only: other local and remote subscribers get the message.</summary>
    [Fact]
    public async Task Broadcast_from_skips_the_sender_only()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var s1 = new ConcurrentQueue<double>();
        var s2 = 0;
        var remote = 0;
        var sender = await a.SubscribeAsync(GaterInstance.Health, "cluster:health", d => s1.Enqueue(Load(d)));
        await a.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref s2));
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref remote));
        var receipt = await a.BroadcastFromAsync(sender, "cluster:health", Health(load: 1));
        Assert.Equal(1, receipt.LocalDeliveries);
        await Eventually(() => Volatile.Read(ref s2) == 1 && Volatile.Read(ref remote) == 1 && a.Statistics.Echoes == 1, "others, and the echo");
        // a local marker reaches the sender too, behind anything the broadcast could have queued for it
        await a.LocalBroadcastAsync("cluster:health", Health(load: 99));
        await Eventually(() => s1.Contains(99), "the local marker");
        Assert.Equal([99.0], s1);
    }

    /// <summary>A local broadcast reaches local subscribers only, never the backplane.</summary>
    [Fact]
    public async Task Local_broadcast_stays_in_the_process()
    {
        var a = await NodeAsync("a@test");
        var b = await NodeAsync("b@test");
        var local = 0;
        var remote = new ConcurrentQueue<double>();
        await a.SubscribeAsync(GaterInstance.Health, "cluster:health", _ => Interlocked.Increment(ref local));
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", d => remote.Enqueue(Load(d)));
        var receipt = await a.LocalBroadcastAsync("cluster:health", Health(load: 1));
        Assert.Equal(0, receipt.FrameBytes);
        await Eventually(() => Volatile.Read(ref local) == 1, "local");
        // a real broadcast is the marker: had the local one gone out, it would have arrived first
        await a.BroadcastAsync("cluster:health", Health(load: 99));
        await Eventually(() => remote.Contains(99), "the marker on the remote node");
        Assert.Equal([99.0], remote);
    }
}

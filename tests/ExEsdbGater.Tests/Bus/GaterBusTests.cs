using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ExEsdbGater;

namespace ExEsdbGater.Tests.Bus;

public sealed class GaterBusTests
{
    private const string Secret = "bus-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    private static IGaterBus NewBus(string node = "n@test", KeyRing? keys = null)
        => GaterBus.Create(new GaterBusOptions { NodeName = node, Keys = keys ?? KeyRing.Of(GaterKey.FromSecret(Secret)) });

    private static NodeHealth Health() => HealthMessages.NodeHealth("a@h", NodeHealthStatus.Healthy);

    [Fact]
    public async Task A_broadcasts_id_and_timestamp_come_from_one_reading_of_the_clock()
    {
        // on the real clock, two readings straddle a millisecond now and then; one reading never does
        await using var bus = NewBus();
        var health = Health();
        for (var i = 0; i < 200_000; i++)
        {
            var e = (await bus.BroadcastAsync("cluster:health", health)).Envelope;
            var micros = long.Parse(e.Id.Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(e.Timestamp, micros / 1000);
        }
    }

    [Fact]
    public async Task Wait_mode_makes_the_publisher_wait_for_room()
    {
        await using var bus = NewBus();
        await using var stream = await bus.OpenStreamAsync(GaterInstance.Health, "cluster:health", new SubscriptionOptions { Capacity = 2 });
        await bus.BroadcastAsync("cluster:health", Health());
        await bus.BroadcastAsync("cluster:health", Health());
        var third = bus.BroadcastAsync("cluster:health", Health()).AsTask();
        await Task.Delay(100);
        Assert.False(third.IsCompleted);
        Assert.True(stream.Reader.TryRead(out var first));
        await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, first.Envelope!.Seq);
        Assert.Equal(0, stream.Dropped);
        Assert.Equal(2, stream.QueueDepth);
    }

    [Fact]
    public async Task Drop_newest_keeps_the_queued_items()
    {
        await using var bus = NewBus();
        await using var stream = await bus.OpenStreamAsync(GaterInstance.Health, "cluster:health", new SubscriptionOptions { Capacity = 2, FullMode = QueueFullMode.DropNewest });
        var slow = new ConcurrentBag<SlowConsumer>();
        bus.SlowConsumerDetected += slow.Add;
        for (var i = 0; i < 5; i++)
        {
            await bus.BroadcastAsync("cluster:health", Health());
        }
        Assert.Equal(3, stream.Dropped);
        // events arrive on the bus's event task, after the drops themselves
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (slow.Count < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
        Assert.Equal(3, slow.Count);
        stream.Reader.TryRead(out var a);
        stream.Reader.TryRead(out var b);
        Assert.Equal([1L, 2L], [a!.Envelope!.Seq, b!.Envelope!.Seq]);
    }

    [Fact]
    public async Task Drop_oldest_keeps_the_newest_items()
    {
        await using var bus = NewBus();
        await using var stream = await bus.OpenStreamAsync(GaterInstance.Health, "cluster:health", new SubscriptionOptions { Capacity = 2, FullMode = QueueFullMode.DropOldest });
        for (var i = 0; i < 5; i++)
        {
            await bus.BroadcastAsync("cluster:health", Health());
        }
        var seqs = new List<long>();
        await foreach (var d in stream.ReadAllAsync())
        {
            seqs.Add(d.Envelope!.Seq);
            if (stream.QueueDepth == 0)
            {
                break;
            }
        }
        Assert.Equal([4L, 5L], seqs);
        Assert.Equal(3, stream.Dropped);
    }

    [Fact]
    public async Task Invalid_messages_are_refused_before_signing()
    {
        await using var bus = NewBus();
        var ex = await Assert.ThrowsAsync<GaterValidationException>(async () => await bus.BroadcastAsync("cluster:health", Health() with { Node = "bad" }));
        Assert.Equal(ValidationError.InvalidNodeFields, ex.Result.Error);
        await Assert.ThrowsAsync<ArgumentException>(async () => await bus.BroadcastAsync("cluster:*", Health()));
        Assert.Equal(0, bus.Statistics.Published);
    }

    [Fact]
    public async Task Without_a_secret_broadcast_fails_closed()
    {
        await using var bus = NewBus(keys: KeyRing.Empty);
        await Assert.ThrowsAsync<GaterSecurityException>(async () => await bus.BroadcastAsync("cluster:health", Health()));
    }

    [Fact]
    public async Task Sequence_numbers_grow_per_topic()
    {
        await using var bus = NewBus();
        var r1 = await bus.BroadcastAsync("cluster:health", Health());
        var r2 = await bus.BroadcastAsync("cluster:health", Health());
        var r3 = await bus.BroadcastAsync("orders:health", Health());
        Assert.Equal([1L, 2L, 1L], [r1.Envelope.Seq, r2.Envelope.Seq, r3.Envelope.Seq]);
        Assert.NotEqual(r1.Envelope.Id, r2.Envelope.Id);
        Assert.Equal("n@test", r1.Envelope.Node);
        Assert.True(r1.FrameBytes > 100);
    }

    [Fact]
    public async Task Typed_subscriptions_see_only_their_type()
    {
        await using var bus = NewBus();
        var got = new ConcurrentQueue<ClusterHealth>();
        await bus.SubscribeAsync<ClusterHealth>("cluster:health", (m, _) => got.Enqueue(m));
        await bus.BroadcastAsync("cluster:health", Health());
        await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.ClusterHealth(HealthStatus.Degraded, 2, 3));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (got.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        await Task.Delay(50);
        Assert.Equal(HealthStatus.Degraded, Assert.Single(got).Status);
    }

    [Fact]
    public async Task Health_conveniences_route_and_refuse_other_types()
    {
        await using var bus = NewBus();
        await using var store = await bus.OpenStreamAsync(GaterInstance.Health, "orders:health");
        await using var cluster = await bus.OpenStreamAsync(GaterInstance.Health, "cluster:health");
        await bus.BroadcastStoreHealthAsync("orders", Health());
        await bus.BroadcastStoreHealthAsync("orders:health", HealthMessages.HealthCheck("disk", "a@h", HealthCheckResult.Pass));
        await bus.BroadcastStoreHealthAsync("orders", HealthMessages.ComponentHealth("writer", "a@h", HealthStatus.Healthy));
        await bus.BroadcastClusterHealthUpdateAsync(Health());
        Assert.Equal(3, store.QueueDepth);
        Assert.Equal(1, cluster.QueueDepth);
        await Assert.ThrowsAsync<ArgumentException>(async () => await bus.BroadcastStoreHealthAsync("orders", HealthMessages.ClusterHealth(HealthStatus.Healthy, 1, 1)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.HealthCheck("c", "a@h", HealthCheckResult.Fail)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await bus.BroadcastClusterHealthUpdateAsync(AlertMessages.AlertAck("a1", "ops")));
    }

    [Fact]
    public async Task Metrics_are_reported_through_the_ExEsdbGater_meter()
    {
        var measured = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == GaterTelemetry.Name)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => measured.AddOrUpdate(i.Name, v, (_, old) => old + v));
        listener.Start();
        await using var bus = NewBus("metrics@test");
        await using var s1 = await bus.OpenStreamAsync(GaterInstance.Health, "cluster:health");
        await using var s2 = await bus.OpenStreamAsync(GaterInstance.Health, "cluster:*");
        await bus.BroadcastAsync("cluster:health", Health());
        listener.RecordObservableInstruments();
        Assert.True(measured.GetValueOrDefault("exesdbgater.published") >= 1);
        Assert.True(measured.GetValueOrDefault("exesdbgater.delivered") >= 2);
        Assert.True(measured.ContainsKey("exesdbgater.queue_depth"));
    }

    [Fact]
    public async Task Disposed_buses_refuse_work()
    {
        var bus = NewBus();
        await bus.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await bus.BroadcastAsync("cluster:health", Health()));
        await bus.DisposeAsync();
    }

    [Theory]
    [InlineData("a*", "abc", true)]
    [InlineData("*", "", true)]
    [InlineData("*:health", "orders:health", true)]
    [InlineData("*:health", "orders:healthy", false)]
    [InlineData("a*b*c", "aXbYc", true)]
    [InlineData("a*b*c", "aXbY", false)]
    [InlineData("a?c", "abc", false)]
    [InlineData("a[b]c", "a[b]c", true)]
    [InlineData("**", "x", true)]
    public void Topic_patterns_treat_only_star_as_special(string pattern, string topic, bool match)
    {
        Assert.Equal(match, TopicPattern.Matches(pattern, topic));
    }
}

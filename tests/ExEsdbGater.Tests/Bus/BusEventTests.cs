using System.Collections.Concurrent;

namespace ExEsdbGater.Tests.Bus;

/// <summary>Bus events run on their own task: observers can block or throw without touching delivery.</summary>
public sealed class BusEventTests
{
    private const string Secret = "event-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    private static (IGaterBus Bus, IGaterBackplane Sender) NodeOnHub(InProcessHub hub, string node)
        => (GaterBus.Create(new GaterBusOptions { NodeName = node, Keys = KeyRing.Of(GaterKey.FromSecret(Secret)), Backplane = hub.Connect() }), hub.Connect());

    private static NodeHealth Health() => HealthMessages.NodeHealth("a@h", NodeHealthStatus.Healthy);

    [Fact]
    public async Task An_observer_that_blocks_does_not_stop_receiving()
    {
        var hub = new InProcessHub();
        var (receiver, forger) = NodeOnHub(hub, "b@test");
        await using var _r = receiver;
        await using var sender = GaterBus.Create(new GaterBusOptions { NodeName = "a@test", Keys = KeyRing.Of(GaterKey.FromSecret(Secret)), Backplane = hub.Connect() });
        using var release = new ManualResetEventSlim(false);
        var observed = new ConcurrentQueue<RejectReason>();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.FrameRejected += r =>
        {
            observed.Enqueue(r.Reason);
            entered.TrySetResult();
            release.Wait(); // a badly behaved observer
        };
        var got = new ConcurrentQueue<long>();
        await receiver.SubscribeAsync<NodeHealth>("cluster:health", (_, e) => got.Enqueue(e.Seq));

        await forger.PublishAsync(GaterInstance.Health, "cluster:health", "exg1.not-a-frame"u8.ToArray());
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await forger.PublishAsync(GaterInstance.Health, "cluster:health", "exg1.another-forgery"u8.ToArray());
        for (var i = 0; i < 50; i++)
        {
            await sender.BroadcastAsync("cluster:health", Health());
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (got.Count < 50 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        // every honest message arrived while the observer was still blocked on the first rejection
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), got);
        Assert.Single(observed);
        Assert.Equal(2, receiver.Statistics.Rejected);
        release.Set();
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (observed.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
        Assert.Equal(2, observed.Count);
        await forger.DisposeAsync();
    }

    [Fact]
    public async Task A_throwing_observer_harms_neither_delivery_nor_the_other_observers()
    {
        await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = "n@test", Keys = KeyRing.Of(GaterKey.FromSecret(Secret)) });
        var failures = new ConcurrentQueue<string>();
        bus.HandlerFailed += _ => throw new InvalidOperationException("observer bug");
        bus.HandlerFailed += f => failures.Enqueue(f.Subscription);
        var handled = 0;
        await bus.SubscribeAsync(GaterInstance.Health, "cluster:health", d =>
        {
            Interlocked.Increment(ref handled);
            throw new InvalidOperationException("handler bug");
        }, new SubscriptionOptions { Name = "throws" });
        for (var i = 0; i < 3; i++)
        {
            await bus.BroadcastAsync("cluster:health", Health());
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (failures.Count < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
        // the first observer threw each time; the second still saw every failure
        Assert.Equal(3, failures.Count);
        Assert.All(failures, f => Assert.Equal("throws", f));
        Assert.Equal(3, handled);
        Assert.Equal(3, bus.Statistics.HandlerErrors);
        Assert.Equal(0, bus.Statistics.EventsDropped);
    }

    [Fact]
    public async Task Events_beyond_the_queue_are_dropped_and_counted_not_held()
    {
        var hub = new InProcessHub();
        await using var receiver = GaterBus.Create(new GaterBusOptions
        {
            NodeName = "b@test",
            Keys = KeyRing.Of(GaterKey.FromSecret(Secret)),
            Backplane = hub.Connect(),
            EventQueueCapacity = 4,
        });
        await using var forger = hub.Connect();
        using var release = new ManualResetEventSlim(false);
        var seen = 0;
        receiver.FrameRejected += _ =>
        {
            Interlocked.Increment(ref seen);
            release.Wait();
        };
        await receiver.SubscribeAsync(GaterInstance.Health, "*", _ => { });
        for (var i = 0; i < 20; i++)
        {
            await forger.PublishAsync(GaterInstance.Health, "cluster:health", "garbage"u8.ToArray());
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (receiver.Statistics.Rejected < 20 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
        Assert.Equal(20, receiver.Statistics.Rejected);
        release.Set();
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref seen) + receiver.Statistics.EventsDropped < 20 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
        // each of the 20 rejections was either observed or counted as dropped: none vanished
        Assert.Equal(20, Volatile.Read(ref seen) + receiver.Statistics.EventsDropped);
        Assert.True(receiver.Statistics.EventsDropped >= 20 - 4 - 1, $"dropped {receiver.Statistics.EventsDropped}");
    }
}

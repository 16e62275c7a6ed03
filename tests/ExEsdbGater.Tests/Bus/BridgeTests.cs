using System.Collections.Concurrent;

namespace ExEsdbGater.Tests.Bus;

/// <summary>The bus side of <see cref="IGaterBridge"/>: what a bridge accepts reaches subscribers, what it refuses is a rejection, broadcasts reach it.</summary>
public sealed class BridgeTests
{
    private const string Secret = "bridge-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    /// <summary>A bridge whose other cluster is this test: it records what it is asked to send.</summary>
    private sealed class RecordingBridge : IGaterBridge
    {
        public ConcurrentQueue<(Envelope Envelope, GaterMessage Message)> Sent { get; } = new();

        public ConcurrentDictionary<GaterInstance, IGaterBridgeSink> Sinks { get; } = new();

        public int Subscribes;

        public int Unsubscribes;

        public string Name => "test-bridge";

        public event Action<BackplaneStateChange>? StateChanged;

        public void Raise(BackplaneStateChange change) => StateChanged?.Invoke(change);

        public ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, IGaterBridgeSink sink, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Subscribes);
            Assert.True(Sinks.TryAdd(instance, sink), "subscribed twice to " + instance);
            return ValueTask.FromResult<IAsyncDisposable>(new Unsubscribe(this, instance));
        }

        public ValueTask SendAsync(Envelope envelope, GaterMessage message, CancellationToken cancellationToken = default)
        {
            Sent.Enqueue((envelope, message));
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private sealed class Unsubscribe(RecordingBridge bridge, GaterInstance instance) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                Interlocked.Increment(ref bridge.Unsubscribes);
                bridge.Sinks.TryRemove(instance, out _);
                return ValueTask.CompletedTask;
            }
        }
    }

    private static IGaterBus NewBus(RecordingBridge bridge)
        => GaterBus.Create(new GaterBusOptions { NodeName = "dotnet@test", Keys = KeyRing.Of(GaterKey.FromSecret(Secret)), Bridges = [bridge] });

    private static Envelope BridgedEnvelope(NodeHealth m) => new(GaterInstance.Health, "cluster:health", m.Tag, "beam-1", "store1@host", 0, 0, 1_800_000_000_000)
    {
        Origin = "test-bridge",
        Verification = "otp25",
    };

    [Fact]
    public async Task A_bridged_message_reaches_subscribers_with_its_origin()
    {
        var bridge = new RecordingBridge();
        await using var bus = NewBus(bridge);
        await using var stream = await bus.OpenStreamAsync(GaterInstance.Health, "cluster:*");
        await using var other = await bus.OpenStreamAsync(GaterInstance.Health, "cluster:other");
        var m = HealthMessages.NodeHealth("store1@host", NodeHealthStatus.Degraded);
        bridge.Sinks[GaterInstance.Health].Accept(BridgedEnvelope(m), m);
        var d = await stream.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(m, d.Message);
        Assert.Equal("test-bridge", d.Envelope!.Origin);
        Assert.Equal("otp25", d.Envelope.Verification);
        Assert.False(d.IsLocal);
        Assert.False(other.Reader.TryRead(out _));
        Assert.Equal(1, bus.Statistics.Verified);
        Assert.Empty(bridge.Sent); // never sent back to where it came from
    }

    [Fact]
    public async Task A_bridge_rejection_is_counted_and_reported_like_a_frame_rejection()
    {
        var bridge = new RecordingBridge();
        await using var bus = NewBus(bridge);
        await using var stream = await bus.OpenStreamAsync(GaterInstance.Health, "*", new SubscriptionOptions { IncludeRejections = true });
        var seen = new TaskCompletionSource<FrameRejection>(TaskCreationOptions.RunContinuationsAsynchronously);
        bus.FrameRejected += r => seen.TrySetResult(r);
        var rejection = new FrameRejection(RejectReason.InvalidSignature, "otp25 and otp26 encodings both differ", GaterInstance.Health, "cluster:health", new byte[] { 131, 104 }, null);
        bridge.Sinks[GaterInstance.Health].Reject(rejection);
        Assert.Same(rejection, await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var d = await stream.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(rejection, d.Rejection);
        Assert.Equal(1, bus.Statistics.Rejected);
        Assert.Equal(0, bus.Statistics.Verified);
    }

    [Fact]
    public async Task Broadcasts_reach_the_bridge_and_local_broadcasts_do_not()
    {
        var bridge = new RecordingBridge();
        await using var bus = NewBus(bridge);
        var m = HealthMessages.NodeHealth("dotnet@test", NodeHealthStatus.Healthy);
        var receipt = await bus.BroadcastAsync("cluster:health", m);
        await bus.LocalBroadcastAsync("cluster:health", m);
        var sent = Assert.Single(bridge.Sent);
        Assert.Same(m, sent.Message);
        Assert.Equal(receipt.Envelope, sent.Envelope);
    }

    [Fact]
    public async Task The_bus_subscribes_once_per_instance_and_stops_when_disposed()
    {
        var bridge = new RecordingBridge();
        var bus = NewBus(bridge);
        var a = await bus.OpenStreamAsync(GaterInstance.Health, "a");
        var b = await bus.OpenStreamAsync(GaterInstance.Health, "b");
        var c = await bus.OpenStreamAsync(GaterInstance.Alerts, "c");
        Assert.Equal(2, bridge.Subscribes);
        await bus.DisposeAsync();
        Assert.Equal(2, bridge.Unsubscribes);
        Assert.Empty(bridge.Sinks);
        await a.DisposeAsync();
        await b.DisposeAsync();
        await c.DisposeAsync();
    }

    [Fact]
    public async Task Bridge_state_changes_are_bus_events()
    {
        var bridge = new RecordingBridge();
        await using var bus = NewBus(bridge);
        var seen = new TaskCompletionSource<BackplaneStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        bus.BackplaneStateChanged += c => seen.TrySetResult(c);
        bridge.Raise(new BackplaneStateChange(BackplaneState.Disconnected, "beam: store1@host down"));
        Assert.Equal("beam: store1@host down", (await seen.Task.WaitAsync(TimeSpan.FromSeconds(10))).Detail);
    }

    [Fact]
    public void The_same_bridge_twice_is_a_configuration_error()
    {
        var bridge = new RecordingBridge();
        var e = Assert.Throws<GaterConfigurationException>(() => GaterBus.Create(new GaterBusOptions { Keys = KeyRing.Empty, Bridges = [bridge, bridge] }));
        Assert.Contains("twice", e.Message, StringComparison.Ordinal);
    }
}

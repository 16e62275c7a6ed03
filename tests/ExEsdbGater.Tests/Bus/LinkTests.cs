using System.Collections.Concurrent;

namespace ExEsdbGater.Tests.Bus;

/// <summary>The bus side of <see cref="IGaterLink"/>: what a link accepts reaches subscribers, what it refuses is a rejection, broadcasts reach it.</summary>
public sealed class LinkTests
{
    private const string Secret = "link-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    /// <summary>A link whose other cluster is this test: it records what it is asked to send.</summary>
    private sealed class RecordingLink : IGaterLink
    {
        public ConcurrentQueue<(Envelope Envelope, GaterMessage Message)> Sent { get; } = new();

        public ConcurrentDictionary<GaterInstance, IGaterLinkSink> Sinks { get; } = new();

        public int Subscribes;

        public int Unsubscribes;

        public string Name => "test-link";

        public event Action<BackplaneStateChange>? StateChanged;

        public void Raise(BackplaneStateChange change) => StateChanged?.Invoke(change);

        public ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, IGaterLinkSink sink, CancellationToken cancellationToken = default)
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

        private sealed class Unsubscribe(RecordingLink link, GaterInstance instance) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                Interlocked.Increment(ref link.Unsubscribes);
                link.Sinks.TryRemove(instance, out _);
                return ValueTask.CompletedTask;
            }
        }
    }

    private static IGaterBus NewBus(RecordingLink link)
        => GaterBus.Create(new GaterBusOptions { NodeName = "dotnet@test", Keys = KeyRing.Of(GaterKey.FromSecret(Secret)), Links = [link] });

    private static Envelope LinkedEnvelope(NodeHealth m) => new(GaterInstance.Health, "cluster:health", m.Tag, "beam-1", "store1@host", 0, 0, 1_800_000_000_000)
    {
        Origin = "test-link",
        Verification = "otp25",
    };

    [Fact]
    public async Task A_linked_message_reaches_subscribers_with_its_origin()
    {
        var link = new RecordingLink();
        await using var bus = NewBus(link);
        await using var stream = await bus.OpenStreamAsync(GaterInstance.Health, "cluster:*");
        await using var other = await bus.OpenStreamAsync(GaterInstance.Health, "cluster:other");
        var m = HealthMessages.NodeHealth("store1@host", NodeHealthStatus.Degraded);
        link.Sinks[GaterInstance.Health].Accept(LinkedEnvelope(m), m);
        var d = await stream.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(m, d.Message);
        Assert.Equal("test-link", d.Envelope!.Origin);
        Assert.Equal("otp25", d.Envelope.Verification);
        Assert.False(d.IsLocal);
        Assert.False(other.Reader.TryRead(out _));
        Assert.Equal(1, bus.Statistics.Verified);
        Assert.Empty(link.Sent); // never sent back to where it came from
    }

    [Fact]
    public async Task A_link_rejection_is_counted_and_reported_like_a_frame_rejection()
    {
        var link = new RecordingLink();
        await using var bus = NewBus(link);
        await using var stream = await bus.OpenStreamAsync(GaterInstance.Health, "*", new SubscriptionOptions { IncludeRejections = true });
        var seen = new TaskCompletionSource<FrameRejection>(TaskCreationOptions.RunContinuationsAsynchronously);
        bus.FrameRejected += r => seen.TrySetResult(r);
        var rejection = new FrameRejection(RejectReason.InvalidSignature, "otp25 and otp26 encodings both differ", GaterInstance.Health, "cluster:health", new byte[] { 131, 104 }, null);
        link.Sinks[GaterInstance.Health].Reject(rejection);
        Assert.Same(rejection, await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var d = await stream.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(rejection, d.Rejection);
        Assert.Equal(1, bus.Statistics.Rejected);
        Assert.Equal(0, bus.Statistics.Verified);
    }

    [Fact]
    public async Task Broadcasts_reach_the_link_and_local_broadcasts_do_not()
    {
        var link = new RecordingLink();
        await using var bus = NewBus(link);
        var m = HealthMessages.NodeHealth("dotnet@test", NodeHealthStatus.Healthy);
        var receipt = await bus.BroadcastAsync("cluster:health", m);
        await bus.LocalBroadcastAsync("cluster:health", m);
        var sent = Assert.Single(link.Sent);
        Assert.Same(m, sent.Message);
        Assert.Equal(receipt.Envelope, sent.Envelope);
    }

    [Fact]
    public async Task The_bus_subscribes_once_per_instance_and_stops_when_disposed()
    {
        var link = new RecordingLink();
        var bus = NewBus(link);
        var a = await bus.OpenStreamAsync(GaterInstance.Health, "a");
        var b = await bus.OpenStreamAsync(GaterInstance.Health, "b");
        var c = await bus.OpenStreamAsync(GaterInstance.Alerts, "c");
        Assert.Equal(2, link.Subscribes);
        await bus.DisposeAsync();
        Assert.Equal(2, link.Unsubscribes);
        Assert.Empty(link.Sinks);
        await a.DisposeAsync();
        await b.DisposeAsync();
        await c.DisposeAsync();
    }

    [Fact]
    public async Task Link_state_changes_are_bus_events()
    {
        var link = new RecordingLink();
        await using var bus = NewBus(link);
        var seen = new TaskCompletionSource<BackplaneStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        bus.BackplaneStateChanged += c => seen.TrySetResult(c);
        link.Raise(new BackplaneStateChange(BackplaneState.Disconnected, "beam: store1@host down"));
        Assert.Equal("beam: store1@host down", (await seen.Task.WaitAsync(TimeSpan.FromSeconds(10))).Detail);
    }

    [Fact]
    public void The_same_link_twice_is_a_configuration_error()
    {
        var link = new RecordingLink();
        var e = Assert.Throws<GaterConfigurationException>(() => GaterBus.Create(new GaterBusOptions { Keys = KeyRing.Empty, Links = [link, link] }));
        Assert.Contains("twice", e.Message, StringComparison.Ordinal);
    }
}

using System.Collections.Concurrent;
using System.Text;

namespace ExEsdbGater.Testing;

/// <summary>
/// The <see cref="IGaterBackplane"/> contract, tested on the backplane alone (no bus): exact and <c>*</c>-pattern
/// subscriptions matched by the transport itself, instance isolation, per-subscription order, fan-out, unsubscribe,
/// dispose, frame bytes, failing handlers and, where the transport has them, connection state events.
/// </summary>
/// <remarks>
/// <para>
/// A transport's test project derives one class from this suite, overrides <see cref="ConnectAsync"/> to open a new
/// connection to one shared medium (one server, one hub, one prefix — new for each test, since xUnit makes a new
/// instance of the class per test), and overrides the capability flags its transport has. Every test below then runs
/// against it; a test that needs a capability the flags deny returns at once (the pattern of the .NET runtime's
/// <c>ChannelTestBase</c>):
/// </para>
/// <code>
/// public sealed class MyBackplaneContract : BackplaneContractTests
/// {
///     protected override async ValueTask&lt;IGaterBackplane&gt; ConnectAsync() =&gt; await MyBackplane.ConnectAsync(...);
///     protected override bool SupportsStateEvents =&gt; true;
///     protected override bool CanInterruptConnections =&gt; true;
///     protected override Task InterruptConnectionsAsync() =&gt; myServer.StopAsync();
///     protected override Task RestoreConnectionsAsync() =&gt; myServer.StartAsync();
/// }
/// </code>
/// <para>
/// Derive from <see cref="BusOverBackplaneContractTests"/> the same way to test the bus over the transport. To prove
/// that nothing more arrives, the tests publish a marker afterwards and wait for it on the same subscription: frames
/// from one publisher reach a subscription in order, so once the marker is there, everything before it is too.
/// </para>
/// </remarks>
public abstract class BackplaneContractTests : IAsyncLifetime
{
    private const string Marker = "marker";
    private readonly List<IGaterBackplane> _owned = [];

    /// <summary>Opens a new connection to the medium under test; every call of one test reaches the same medium.</summary>
    protected abstract ValueTask<IGaterBackplane> ConnectAsync();

    /// <summary>How long to wait for something that should happen; a safety limit, not a speed requirement. Default 10 s.</summary>
    protected virtual TimeSpan Patience => TimeSpan.FromSeconds(10);

    /// <summary>How long a connection may take to come back after <see cref="RestoreConnectionsAsync"/>. Default 30 s.</summary>
    protected virtual TimeSpan ReconnectPatience => TimeSpan.FromSeconds(30);

    /// <summary>The size of the large frame sent by <see cref="Frame_bytes_arrive_unchanged_empty_all_byte_values_and_large"/>. Default 1 MiB.</summary>
    protected virtual int LargeFrameBytes => 1024 * 1024;

    /// <summary>True when the transport raises <see cref="IGaterBackplane.StateChanged"/> on a lost and a restored connection. Default false.</summary>
    protected virtual bool SupportsStateEvents => false;

    /// <summary>True when the test can cut and restore the connections (<see cref="InterruptConnectionsAsync"/>). Default false.</summary>
    protected virtual bool CanInterruptConnections => false;

    /// <summary>Cuts every connection to the medium, e.g. stops the server. Called only when <see cref="CanInterruptConnections"/>.</summary>
    protected virtual Task InterruptConnectionsAsync() => throw new NotSupportedException("Override InterruptConnectionsAsync with CanInterruptConnections.");

    /// <summary>Makes the medium reachable again after <see cref="InterruptConnectionsAsync"/>, e.g. starts the server on the same address.</summary>
    protected virtual Task RestoreConnectionsAsync() => throw new NotSupportedException("Override RestoreConnectionsAsync with CanInterruptConnections.");

    /// <summary>Runs before each test; nothing by default.</summary>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test: disposes every connection the test opened, last first (again, for those it disposed itself).</summary>
    public virtual async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    /// <summary>Opens a connection with <see cref="ConnectAsync"/> and disposes it after the test.</summary>
    protected async Task<IGaterBackplane> OpenAsync()
    {
        var backplane = await ConnectAsync();
        _owned.Add(backplane);
        return backplane;
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test after <see cref="Patience"/>.</summary>
    protected Task Eventually(Func<bool> condition, string what) => Waiting.UntilAsync(condition, what, Patience);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string[] Split(string list) => list.Length == 0 ? [] : list.Split('|');

    /// <summary>A subscriber on another connection gets the frame with the instance and topic it was published on.</summary>
    [Fact]
    public async Task A_frame_reaches_an_exact_subscription_on_another_connection()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        Assert.False(string.IsNullOrWhiteSpace(a.Name));
        var log = new FrameLog();
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", log.Handler);
        await a.PublishAsync(GaterInstance.Health, "cluster:health", Bytes("hello"));
        await Eventually(() => log.Count == 1, "the frame");
        var got = log.Frames.Single();
        Assert.Equal(GaterInstance.Health, got.Instance);
        Assert.Equal("cluster:health", got.Topic);
        Assert.Equal("hello", got.Text);
    }

    /// <summary>
    /// The backplane matches patterns itself: <c>*</c> is any run of characters, every other character is literal,
    /// including those that are wildcards elsewhere (<c>? [ ] \ .</c>, regex, SQL, MQTT, NATS). Lists are <c>|</c>-separated.
    /// </summary>
    /// <param name="pattern">The subscribed pattern.</param>
    /// <param name="matching">Topics that must arrive, in this order.</param>
    /// <param name="notMatching">Topics that must not arrive.</param>
    [Theory]
    [InlineData("orders:health", "orders:health", "orders:healthy|orders:healt|xorders:health|Orders:health")]
    [InlineData("orders:*", "orders:|orders:x|orders:x:y", "orders|order:x|xorders:x")]
    [InlineData("*:health", ":health|a:health|a:b:health", "a:healthy|health|a:Health")]
    [InlineData("store*:health", "store:health|store-1:health|storeA:b:health", "store:healt|stor:health|xstore:health")]
    [InlineData("a*b*c", "abc|aXbYc|abbc|aXbYcZc", "ab|acb|abcX|Xabc")]
    [InlineData("a*:x", "a:x|ab:x", "a:xy|b:x")]
    [InlineData("*", "x|a:b:c|?[]\\.", "")]
    [InlineData("**", "x|a:b", "")]
    [InlineData("a?c*", "a?c|a?cd", "abc|abcd|a?")]
    [InlineData("x[1]*", "x[1]|x[1]y", "x1|x1y|x[2]")]
    [InlineData("[abc]*", "[abc]|[abc]d", "a|b|abc")]
    [InlineData("back\\slash*", "back\\slash|back\\slash:x", "backslash|back\\\\slash|back/slash")]
    [InlineData("a.b*", "a.b|a.bc", "aXb|axbc")]
    [InlineData("^a+b$*", "^a+b$", "ab|aab")]
    [InlineData("{a,b}*", "{a,b}|{a,b}c", "a|b")]
    [InlineData("%_*", "%_x|%_", "ax|x")]
    [InlineData("a/+/#*", "a/+/#", "a/b/c|a/b/#")]
    [InlineData("a.>*", "a.>|a.>.b", "a.b|a.b.c")]
    [InlineData("café:*", "café:ü|café:", "cafe:x|caf:x")]
    [InlineData("*ü", "ü|xü|über ü", "u|üx")]
    [InlineData("my topic*", "my topic|my topic 2", "my|mytopic")]
    public async Task Topic_patterns_are_matched_by_the_backplane(string pattern, string matching, string notMatching)
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var log = new FrameLog();
        await b.SubscribeAsync(GaterInstance.Health, pattern, log.Handler);
        var yes = Split(matching);
        var no = Split(notMatching);
        for (var i = 0; i < Math.Max(yes.Length, no.Length); i++)
        {
            if (i < no.Length)
            {
                await a.PublishAsync(GaterInstance.Health, no[i], Bytes("frame:" + no[i]));
            }
            if (i < yes.Length)
            {
                await a.PublishAsync(GaterInstance.Health, yes[i], Bytes("frame:" + yes[i]));
            }
        }
        await a.PublishAsync(GaterInstance.Health, yes[0], Bytes(Marker));
        await Eventually(() => log.Has(Marker), "the marker");
        Assert.Equal(yes.Select(t => "frame:" + t), log.TextsBefore(Marker));
        Assert.Equal(yes, log.Frames.Select(f => f.Topic).Take(yes.Length));
        Assert.All(log.Frames, f => Assert.Equal(GaterInstance.Health, f.Instance));
    }

    /// <summary>The same topic on two instances is two channels: a subscription sees only its own instance's frames.</summary>
    [Fact]
    public async Task Instances_are_isolated_even_for_the_same_topic()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var logs = new Dictionary<GaterInstance, FrameLog>();
        foreach (var instance in GaterInstances.All)
        {
            logs[instance] = new FrameLog();
            await b.SubscribeAsync(instance, "*", logs[instance].Handler);
        }
        foreach (var instance in GaterInstances.All)
        {
            await a.PublishAsync(instance, "same:topic", Bytes(instance.WireName()));
        }
        foreach (var instance in GaterInstances.All)
        {
            await a.PublishAsync(instance, "same:topic", Bytes(Marker));
        }
        await Eventually(() => logs.Values.All(l => l.Has(Marker)), "a marker on every instance");
        foreach (var (instance, log) in logs)
        {
            Assert.Equal([instance.WireName()], log.TextsBefore(Marker));
            Assert.All(log.Frames, f => Assert.Equal(instance, f.Instance));
        }
    }

    /// <summary>Frames from one publisher reach an exact subscription in the order they were published.</summary>
    [Fact]
    public async Task Frames_from_one_publisher_arrive_in_order_on_an_exact_subscription()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var log = new FrameLog();
        await b.SubscribeAsync(GaterInstance.Metrics, "order:t", log.Handler);
        for (var i = 0; i < 1000; i++)
        {
            await a.PublishAsync(GaterInstance.Metrics, "order:t", Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        await Eventually(() => log.Count == 1000, "1000 frames");
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), log.Frames.Select(f => f.Text));
    }

    /// <summary>A pattern subscription gets one publisher's frames on several topics in publish order, across the topics.</summary>
    [Fact]
    public async Task Frames_from_one_publisher_arrive_in_order_on_a_pattern_subscription_across_topics()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var log = new FrameLog();
        await b.SubscribeAsync(GaterInstance.Metrics, "order:*", log.Handler);
        string[] topics = ["order:a", "order:b", "order:c"];
        for (var i = 0; i < 600; i++)
        {
            await a.PublishAsync(GaterInstance.Metrics, topics[i % 3], Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        await Eventually(() => log.Count == 600, "600 frames");
        Assert.Equal(Enumerable.Range(0, 600).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), log.Frames.Select(f => f.Text));
        Assert.Equal(Enumerable.Range(0, 600).Select(i => topics[i % 3]), log.Frames.Select(f => f.Topic));
    }

    /// <summary>Every connection subscribed to a channel gets every frame, in order.</summary>
    [Fact]
    public async Task Every_subscribed_connection_receives_every_frame()
    {
        var a = await OpenAsync();
        var logs = new List<FrameLog>();
        for (var i = 0; i < 3; i++)
        {
            var log = new FrameLog();
            await (await OpenAsync()).SubscribeAsync(GaterInstance.Events, "fan:out", log.Handler);
            logs.Add(log);
        }
        for (var i = 0; i < 100; i++)
        {
            await a.PublishAsync(GaterInstance.Events, "fan:out", Bytes("f" + i));
        }
        await Eventually(() => logs.All(l => l.Count == 100), "100 frames on each of 3 connections");
        Assert.All(logs, l => Assert.Equal(Enumerable.Range(0, 100).Select(i => "f" + i), l.Frames.Select(f => f.Text)));
    }

    /// <summary>Overlapping subscriptions on one connection (same exact topic twice, and patterns) each get each frame once.</summary>
    [Fact]
    public async Task Overlapping_subscriptions_on_one_connection_each_receive_each_frame_once()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        FrameLog[] logs = [new(), new(), new(), new()];
        await b.SubscribeAsync(GaterInstance.Health, "ov:t", logs[0].Handler);
        await b.SubscribeAsync(GaterInstance.Health, "ov:t", logs[1].Handler);
        await b.SubscribeAsync(GaterInstance.Health, "ov:*", logs[2].Handler);
        await b.SubscribeAsync(GaterInstance.Health, "*t", logs[3].Handler);
        for (var i = 0; i < 3; i++)
        {
            await a.PublishAsync(GaterInstance.Health, "ov:t", Bytes("f" + i));
        }
        await a.PublishAsync(GaterInstance.Health, "ov:t", Bytes(Marker));
        await Eventually(() => logs.All(l => l.Has(Marker)), "the marker on every subscription");
        Assert.All(logs, l => Assert.Equal(["f0", "f1", "f2", Marker], l.Frames.Select(f => f.Text)));
    }

    /// <summary>A connection's own subscriptions receive what it publishes (the bus counts these as echoes and drops them).</summary>
    [Fact]
    public async Task A_connection_receives_its_own_publications()
    {
        var a = await OpenAsync();
        var log = new FrameLog();
        await a.SubscribeAsync(GaterInstance.Logging, "self:*", log.Handler);
        await a.PublishAsync(GaterInstance.Logging, "self:t", Bytes("mine"));
        await Eventually(() => log.Count == 1, "the own frame");
        Assert.Equal("mine", log.Frames.Single().Text);
    }

    /// <summary>
    /// After disposing a subscription, frames published later do not reach it; another subscription on the same channel
    /// of the same connection keeps receiving; subscribing again works.
    /// </summary>
    /// <param name="pattern">An exact topic, or a pattern.</param>
    [Theory]
    [InlineData("un:t")]
    [InlineData("un:*")]
    public async Task A_disposed_subscription_receives_nothing_more_and_the_others_continue(string pattern)
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var gone = new FrameLog();
        var stays = new FrameLog();
        var sub = await b.SubscribeAsync(GaterInstance.Audit, pattern, gone.Handler);
        await b.SubscribeAsync(GaterInstance.Audit, pattern, stays.Handler);
        await a.PublishAsync(GaterInstance.Audit, "un:t", Bytes("one"));
        await Eventually(() => gone.Has("one") && stays.Has("one"), "the first frame on both");
        await sub.DisposeAsync();
        await a.PublishAsync(GaterInstance.Audit, "un:t", Bytes("two"));
        await a.PublishAsync(GaterInstance.Audit, "un:t", Bytes(Marker));
        await Eventually(() => stays.Has(Marker), "the marker on the remaining subscription");
        Assert.Equal(["one", "two", Marker], stays.Frames.Select(f => f.Text));
        Assert.Equal(["one"], gone.Frames.Select(f => f.Text));

        var again = new FrameLog();
        await b.SubscribeAsync(GaterInstance.Audit, pattern, again.Handler);
        await a.PublishAsync(GaterInstance.Audit, "un:t", Bytes("three"));
        await Eventually(() => again.Has("three"), "the frame on the new subscription");
        Assert.Equal(["one"], gone.Frames.Select(f => f.Text));
    }

    /// <summary>Disposing a subscription twice is harmless: the second dispose does not remove another subscription of the channel.</summary>
    [Fact]
    public async Task Disposing_a_subscription_twice_is_harmless()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var stays = new FrameLog();
        var sub = await b.SubscribeAsync(GaterInstance.Audit, "twice:t", (_, _, _) => { });
        await b.SubscribeAsync(GaterInstance.Audit, "twice:t", stays.Handler);
        await sub.DisposeAsync();
        await sub.DisposeAsync();
        await a.PublishAsync(GaterInstance.Audit, "twice:t", Bytes("still"));
        await Eventually(() => stays.Has("still"), "the frame on the other subscription");
    }

    /// <summary>Publishing on a disposed backplane throws <see cref="ObjectDisposedException"/>.</summary>
    [Fact]
    public async Task Publishing_after_dispose_throws_ObjectDisposedException()
    {
        var a = await OpenAsync();
        await a.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => a.PublishAsync(GaterInstance.Health, "t", Bytes("x")).AsTask());
    }

    /// <summary>Subscribing on a disposed backplane throws <see cref="ObjectDisposedException"/>.</summary>
    [Fact]
    public async Task Subscribing_after_dispose_throws_ObjectDisposedException()
    {
        var a = await OpenAsync();
        await a.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => a.SubscribeAsync(GaterInstance.Health, "t", (_, _, _) => { }).AsTask());
    }

    /// <summary>Once a backplane is disposed its handlers are not called any more, while other connections go on.</summary>
    [Fact]
    public async Task Disposing_a_backplane_ends_its_subscriptions()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var c = await OpenAsync();
        var onB = new FrameLog();
        var onC = new FrameLog();
        await b.SubscribeAsync(GaterInstance.Security, "end:*", onB.Handler);
        await c.SubscribeAsync(GaterInstance.Security, "end:*", onC.Handler);
        await a.PublishAsync(GaterInstance.Security, "end:t", Bytes("before"));
        await Eventually(() => onB.Has("before") && onC.Has("before"), "the first frame on both");
        await b.DisposeAsync();
        await a.PublishAsync(GaterInstance.Security, "end:t", Bytes("after"));
        await a.PublishAsync(GaterInstance.Security, "end:t", Bytes(Marker));
        await Eventually(() => onC.Has(Marker), "the marker on the live connection");
        Assert.Equal(["before"], onB.Frames.Select(f => f.Text));
    }

    /// <summary>Disposing a backplane twice, and disposing its subscriptions after it, are harmless.</summary>
    [Fact]
    public async Task Disposing_twice_and_unsubscribing_after_dispose_are_harmless()
    {
        var a = await OpenAsync();
        var sub = await a.SubscribeAsync(GaterInstance.Security, "end:*", (_, _, _) => { });
        await a.DisposeAsync();
        await a.DisposeAsync();
        await sub.DisposeAsync();
        await sub.DisposeAsync();
    }

    /// <summary>Frame bytes arrive exactly as published: empty, every byte value, and large.</summary>
    [Fact]
    public async Task Frame_bytes_arrive_unchanged_empty_all_byte_values_and_large()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var log = new FrameLog();
        await b.SubscribeAsync(GaterInstance.Diagnostics, "bytes:t", log.Handler);
        var large = new byte[LargeFrameBytes];
        new Random(42).NextBytes(large);
        byte[][] frames = [[], [.. Enumerable.Range(0, 256).Select(i => (byte)i)], [.. Enumerable.Range(0, 256).Select(i => (byte)(255 - i))], large];
        foreach (var frame in frames)
        {
            await a.PublishAsync(GaterInstance.Diagnostics, "bytes:t", frame);
        }
        await a.PublishAsync(GaterInstance.Diagnostics, "bytes:t", Bytes(Marker));
        await Eventually(() => log.Has(Marker), "the marker");
        var got = log.Frames;
        Assert.True(got.Count == frames.Length + 1, $"sent frames of {string.Join(", ", frames.Select(f => f.Length))} bytes, got {string.Join(", ", got.SkipLast(1).Select(f => f.Frame.Length))}");
        for (var i = 0; i < frames.Length; i++)
        {
            Assert.True(frames[i].AsSpan().SequenceEqual(got[i].Frame.Span), $"frame {i} ({frames[i].Length} bytes) arrived as {got[i].Frame.Length} different bytes");
        }
    }

    /// <summary>The frame memory a handler gets stays valid after it returns: the backplane does not reuse it for later frames.</summary>
    [Fact]
    public async Task Received_frames_stay_valid_after_the_handler_returns()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var log = new FrameLog();
        await b.SubscribeAsync(GaterInstance.Diagnostics, "keep:t", log.Handler);
        var expected = Enumerable.Range(0, 200).Select(i => new string((char)('a' + (i % 26)), 1 + (i % 50)) + i).ToArray();
        foreach (var text in expected)
        {
            await a.PublishAsync(GaterInstance.Diagnostics, "keep:t", Bytes(text));
        }
        await Eventually(() => log.Count == expected.Length, "all frames");
        Assert.Equal(expected, log.Frames.Select(f => f.Text));
    }

    /// <summary>A handler that throws loses only that frame: it is called for later frames, and other subscriptions are unaffected.</summary>
    [Fact]
    public async Task A_throwing_handler_does_not_stop_delivery()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var calls = 0;
        var good = new FrameLog();
        await b.SubscribeAsync(GaterInstance.Alerts, "boom:t", (_, _, _) =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("boom");
        });
        await b.SubscribeAsync(GaterInstance.Alerts, "boom:t", good.Handler);
        for (var i = 0; i < 5; i++)
        {
            await a.PublishAsync(GaterInstance.Alerts, "boom:t", Bytes("f" + i));
        }
        await a.PublishAsync(GaterInstance.Alerts, "boom:t", Bytes(Marker));
        await Eventually(() => good.Has(Marker) && Volatile.Read(ref calls) == 6, "6 calls of the throwing handler and the marker on the other");
        Assert.Equal(["f0", "f1", "f2", "f3", "f4", Marker], good.Frames.Select(f => f.Text));
        await b.PublishAsync(GaterInstance.Alerts, "boom:t", Bytes("from b"));
        await Eventually(() => good.Has("from b"), "the connection still publishes and receives");
    }

    /// <summary>Calls to one subscription's handler never overlap, even with several publishers at once.</summary>
    [Fact]
    public async Task Calls_to_one_handler_never_overlap()
    {
        var publishers = new[] { await OpenAsync(), await OpenAsync(), await OpenAsync() };
        var b = await OpenAsync();
        var active = 0;
        var overlapped = false;
        var count = 0;
        await b.SubscribeAsync(GaterInstance.Lifecycle, "busy:*", (_, _, _) =>
        {
            if (Interlocked.Increment(ref active) > 1)
            {
                overlapped = true;
            }
            Thread.SpinWait(2000); // widen the window an overlap would show in
            Interlocked.Decrement(ref active);
            Interlocked.Increment(ref count);
        });
        await Task.WhenAll(publishers.Select((p, n) => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await p.PublishAsync(GaterInstance.Lifecycle, "busy:" + n, Bytes("f" + i));
            }
        })));
        await Eventually(() => Volatile.Read(ref count) == 600, "600 frames");
        Assert.False(Volatile.Read(ref overlapped), "two calls of one handler ran at once");
    }

    /// <summary>A pattern that <see cref="TopicPattern.IsValid"/> rejects is refused with an <see cref="ArgumentException"/>.</summary>
    /// <param name="pattern">An invalid pattern; <c>long</c> stands for 256 characters.</param>
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a\nb")]
    [InlineData("a\u007fb*")]
    [InlineData("long")]
    public async Task Invalid_patterns_are_refused(string? pattern)
    {
        var a = await OpenAsync();
        pattern = pattern == "long" ? new string('x', 256) : pattern;
        await Assert.ThrowsAnyAsync<ArgumentException>(() => a.SubscribeAsync(GaterInstance.Health, pattern!, (_, _, _) => { }).AsTask());
    }

    /// <summary>A healthy connection raises no state events while it publishes and receives.</summary>
    [Fact]
    public async Task A_healthy_connection_raises_no_state_events()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        var states = new ConcurrentQueue<BackplaneStateChange>();
        a.StateChanged += states.Enqueue;
        b.StateChanged += states.Enqueue;
        var log = new FrameLog();
        await b.SubscribeAsync(GaterInstance.System, "calm:t", log.Handler);
        await a.PublishAsync(GaterInstance.System, "calm:t", Bytes("x"));
        await Eventually(() => log.Count == 1, "the frame");
        Assert.Empty(states);
        a.StateChanged -= states.Enqueue;
        b.StateChanged -= states.Enqueue;
    }

    /// <summary>
    /// With <see cref="SupportsStateEvents"/> and <see cref="CanInterruptConnections"/>: a cut connection is reported as
    /// <see cref="BackplaneState.Disconnected"/>, its return as <see cref="BackplaneState.Reconnected"/>, and the
    /// subscriptions made before the cut deliver again without being made anew.
    /// </summary>
    [Fact]
    public async Task A_lost_connection_is_reported_and_subscriptions_come_back()
    {
        if (!SupportsStateEvents || !CanInterruptConnections)
        {
            return;
        }
        var a = await OpenAsync();
        var b = await OpenAsync();
        var states = new ConcurrentQueue<BackplaneState>();
        b.StateChanged += c => states.Enqueue(c.State);
        var log = new FrameLog();
        await b.SubscribeAsync(GaterInstance.Health, "state:*", log.Handler);
        await a.PublishAsync(GaterInstance.Health, "state:t", Bytes("before"));
        await Eventually(() => log.Has("before"), "a frame before the cut");
        var restored = false;
        await InterruptConnectionsAsync();
        try
        {
            await Eventually(() => states.Contains(BackplaneState.Disconnected), "Disconnected");
            await RestoreConnectionsAsync();
            restored = true;
            await Waiting.UntilAsync(() => states.Contains(BackplaneState.Reconnected), "Reconnected", ReconnectPatience);
        }
        finally
        {
            if (!restored)
            {
                await RestoreConnectionsAsync();
            }
        }
        Assert.Equal(BackplaneState.Disconnected, states.First());
        // the publisher may still be reconnecting, and frames published meanwhile are lost: publish until one arrives
        var deadline = DateTime.UtcNow + ReconnectPatience;
        for (var i = 0; !log.Frames.Any(f => f.Text.StartsWith("after", StringComparison.Ordinal)); i++)
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for a frame after the reconnect");
            await a.PublishAsync(GaterInstance.Health, "state:t", Bytes("after" + i));
            await Task.Delay(20);
        }
    }
}

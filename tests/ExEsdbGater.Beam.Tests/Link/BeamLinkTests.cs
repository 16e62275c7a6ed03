using System.Collections.Concurrent;
using System.Net;
using ExEsdbGater.Backplanes;
using ExEsdbGater.Beam.Mapping;
using ExEsdbGater.Beam.Tests.Mapping;
using ExEsdbGater.Beam.Tests.Peer;
using ExEsdbGater.Frames;

namespace ExEsdbGater.Beam.Tests.Link;

/// <summary>
/// A bus with a <see cref="BeamLink"/> inside a real Elixir cluster (the project's PG2 peer): membership through
/// :pg, every type both ways, forged and malformed messages, a flood, a restart, two nodes, a wrong cookie.
/// </summary>
public sealed class BeamLinkTests
{
    private const string Cookie = "gater-link-cookie";
    private const string BusSecret = "link-bus-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    private static Task<BeamLink> StartLinkAsync(params string[] peers) => BeamLink.StartAsync(new BeamLinkOptions
    {
        NodeName = ElixirPeer.UniqueName("gater"),
        Cookie = Cookie,
        Peers = peers,
        Secrets = [ElixirPeer.DefaultSecret],
        ListenAddress = IPAddress.Loopback,
        NetTickTime = TimeSpan.FromSeconds(10),
        ReconnectMaxDelay = TimeSpan.FromSeconds(1),
    });

    private static IGaterBus NewBus(BeamLink link) => GaterBus.Create(new GaterBusOptions
    {
        NodeName = "dotnet@test",
        Keys = KeyRing.Of(GaterKey.FromSecret(BusSecret)),
        Links = [link],
    });

    /// <summary>Subscribes to every instance that has message types, collecting deliveries and rejections.</summary>
    private static async Task<(ConcurrentQueue<Delivery> Got, List<IGaterStream> Streams)> SubscribeAllAsync(IGaterBus bus)
    {
        var got = new ConcurrentQueue<Delivery>();
        var streams = new List<IGaterStream>();
        foreach (var instance in GaterInstances.All.Where(i => i != GaterInstance.Events))
        {
            var s = await bus.OpenStreamAsync(instance, "*", new SubscriptionOptions { IncludeRejections = true, Capacity = 100_000 });
            streams.Add(s);
            _ = Task.Run(async () =>
            {
                await foreach (var d in s.ReadAllAsync())
                {
                    got.Enqueue(d);
                }
            });
        }
        return (got, streams);
    }

    /// <summary>Waits until the peer lists this link's node among the instance's group members.</summary>
    private static Task WaitForMembershipAsync(ElixirPeer peer, BeamLink link, GaterInstance instance)
        => peer.CommandUntilAsync($"members {instance.WireName()}", l => l.Contains(link.NodeName, StringComparison.Ordinal));

    private static async Task UntilAsync(Func<bool> done, string what)
    {
        using var cts = new CancellationTokenSource(ElixirPeer.Patience);
        while (!done())
        {
            try
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("timed out waiting for " + what);
            }
        }
    }

    [Fact]
    public async Task Every_type_the_elixir_node_broadcasts_reaches_subscribers_verified_and_typed()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("p"), Cookie, ElixirPeer.DefaultSecret);
        await using var link = await StartLinkAsync(peer.Node);
        await using var bus = NewBus(link);
        var (got, streams) = await SubscribeAllAsync(bus);
        foreach (var i in GaterInstances.All.Where(i => i != GaterInstance.Events))
        {
            await WaitForMembershipAsync(peer, link, i);
        }

        Assert.StartsWith("published messages=36", await peer.CommandAsync("publish auto cluster:all all 1 secure"), StringComparison.Ordinal);
        await UntilAsync(() => got.Count >= 36, "36 deliveries");

        var messages = got.Where(d => d.Message is not null).ToArray();
        var rejected = got.Where(d => d.Rejection is not null).ToArray();
        // the vector's top_errors ["a", "b"] is not the catalog's list of maps
        var r = Assert.Single(rejected);
        Assert.Equal(RejectReason.InvalidPayload, r.Rejection!.Reason);
        Assert.Contains("top_errors", r.Rejection.Detail, StringComparison.Ordinal);
        Assert.Equal(35, messages.Length);
        Assert.Equal(BeamVectors.All.Where(v => v.Tag != "log_summary").Select(v => v.Tag).Order(), messages.Select(d => d.Message!.Tag).Order());
        Assert.All(messages, d =>
        {
            Assert.Equal("beam", d.Envelope!.Origin);
            Assert.Equal("otp25", d.Envelope.Verification);
            Assert.Equal("cluster:all", d.Envelope.Topic);
            Assert.Equal(d.Message!.Instance, d.Envelope.Instance);
        });
        // the seven types without a node field take the sending node, and say so
        var filled = messages.Where(d => d.Envelope!.NodeFromSender).ToArray();
        Assert.Equal(messages.Where(d => OriginalShape.NodeAddedTypes.Contains(d.Message!.GetType().Name)).Select(d => d.Message!.Tag).Order(), filled.Select(d => d.Message!.Tag).Order());
        Assert.Equal(6, filled.Length); // the seventh, log_summary, is the one refused above
        Assert.All(filled, d => Assert.Equal(peer.Node, d.Envelope!.Node));
        Assert.Equal(35, bus.Statistics.Verified);
        Assert.Equal(1, bus.Statistics.Rejected);
        Assert.Equal(35, link.Statistics.Accepted);
        foreach (var s in streams)
        {
            await s.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("forged", RejectReason.InvalidSignature)]
    [InlineData("tampered", RejectReason.InvalidSignature)]
    [InlineData("unsecured", RejectReason.UnsecuredMessageRejected)]
    [InlineData("garbage", RejectReason.InvalidFormat)]
    public async Task Forged_tampered_unsigned_and_garbage_messages_are_refused_with_their_reason(string mode, RejectReason reason)
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("p"), Cookie, ElixirPeer.DefaultSecret);
        await using var link = await StartLinkAsync(peer.Node);
        await using var bus = NewBus(link);
        var rejections = new ConcurrentQueue<FrameRejection>();
        bus.FrameRejected += rejections.Enqueue;
        var (got, _) = await SubscribeAllAsync(bus);
        await WaitForMembershipAsync(peer, link, GaterInstance.Health);

        await peer.CommandAsync($"publish ex_esdb_health cluster:health node_health_updated 3 {mode}");
        await peer.CommandAsync("publish ex_esdb_health cluster:health node_health_updated 1 secure");
        await UntilAsync(() => got.Count(d => d.Message is not null) == 1 && rejections.Count == 3, "three rejections and the honest message");
        Assert.All(rejections, r => Assert.Equal(reason, r.Reason));
        Assert.All(rejections, r => Assert.Contains(peer.Node, r.Detail, StringComparison.Ordinal));
        Assert.Equal(3, link.Statistics.Rejected);
        Assert.Equal(3, bus.Statistics.Rejected);
        Assert.Equal(1, bus.Statistics.Verified);
    }

    [Fact]
    public async Task A_broadcast_reaches_the_elixir_subscribers_and_passes_their_check()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("p"), Cookie, ElixirPeer.DefaultSecret);
        await using var link = await StartLinkAsync(peer.Node);
        await using var bus = NewBus(link);
        await using var own = await bus.OpenStreamAsync(GaterInstance.Health, "*");
        await peer.CommandUntilAsync("members ex_esdb_health", l => l.StartsWith("members", StringComparison.Ordinal));
        await UntilAsync(() => link.GroupMembers(GaterInstance.Health).Count == 1, "the peer's health worker as a member");

        var mark = peer.EventCount;
        await bus.BroadcastAsync("cluster:health", HealthMessages.NodeHealth("dotnet@test", NodeHealthStatus.Degraded, loadAvg: 1.25));
        await bus.BroadcastAsync("alerts:ops", AlertMessages.SystemAlert(AlertSeverity.Critical, AlertCategory.System, "disk", "disk almost full", "dotnet@test"));
        Assert.Equal("recv ex_esdb_health cluster:health node_health_updated ExESDBGater.Messages.HealthMessages.NodeHealth ok dotnet@test",
            await peer.WaitForEventAsync(e => e.StartsWith("recv ex_esdb_health", StringComparison.Ordinal), mark));
        Assert.EndsWith(" ok dotnet@test", await peer.WaitForEventAsync(e => e.StartsWith("recv ex_esdb_alerts", StringComparison.Ordinal), mark), StringComparison.Ordinal);
        Assert.Equal(2, link.Statistics.Sent);
        // what came from BEAM is never sent back to it
        await peer.CommandAsync("publish ex_esdb_health cluster:health node_health_updated 1 secure");
        await own.Reader.ReadAsync().AsTask().WaitAsync(ElixirPeer.Patience); // our own broadcast
        var fromBeam = await own.Reader.ReadAsync().AsTask().WaitAsync(ElixirPeer.Patience);
        Assert.Equal("beam", fromBeam.Envelope!.Origin);
        Assert.Equal(2, link.Statistics.Sent);
    }

    [Fact]
    public async Task After_the_elixir_node_restarts_the_link_reconnects_rejoins_and_receives_again()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("p"), Cookie, ElixirPeer.DefaultSecret);
        await using var link = await StartLinkAsync(peer.Node);
        var changes = new ConcurrentQueue<BackplaneStateChange>();
        link.StateChanged += changes.Enqueue;
        await using var bus = NewBus(link);
        var (got, _) = await SubscribeAllAsync(bus);
        await WaitForMembershipAsync(peer, link, GaterInstance.Health);
        await peer.CommandAsync("publish ex_esdb_health cluster:health node_health_updated 1 secure");
        await UntilAsync(() => got.Count == 1, "the first message");

        peer.Kill();
        await UntilAsync(() => changes.Any(c => c.State == BackplaneState.Disconnected), "the disconnection");
        await peer.RestartAsync();
        await UntilAsync(() => changes.Any(c => c.State == BackplaneState.Reconnected), "the reconnection");
        await WaitForMembershipAsync(peer, link, GaterInstance.Health);
        await peer.CommandAsync("publish ex_esdb_health cluster:health node_health_updated 2 secure");
        await UntilAsync(() => got.Count == 3, "two messages after the restart");
        Assert.All(got, d => Assert.NotNull(d.Message));
        Assert.True(link.Statistics.Reconnects >= 1);
    }

    [Fact]
    public async Task Two_elixir_nodes_are_heard_and_both_get_each_broadcast()
    {
        await using var a = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("a"), Cookie, ElixirPeer.DefaultSecret);
        await using var b = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("b"), Cookie, ElixirPeer.DefaultSecret);
        await using var link = await StartLinkAsync(a.Node, b.Node);
        await using var bus = NewBus(link);
        var (got, _) = await SubscribeAllAsync(bus);
        await WaitForMembershipAsync(a, link, GaterInstance.Lifecycle);
        await WaitForMembershipAsync(b, link, GaterInstance.Lifecycle);

        await a.CommandAsync("publish ex_esdb_lifecycle t node_lifecycle_event 2 secure");
        await b.CommandAsync("publish ex_esdb_lifecycle t node_lifecycle_event 3 secure");
        await UntilAsync(() => got.Count == 5, "five messages from two nodes");
        // node_lifecycle_event's struct has a node field; the envelope's node is the message's, the sender's for the others
        Assert.All(got, d => Assert.Equal(GaterInstance.Lifecycle, d.Envelope!.Instance));

        await UntilAsync(() => link.GroupMembers(GaterInstance.Health).Count == 2, "both health workers as members");
        var ma = a.EventCount;
        var mb = b.EventCount;
        await bus.BroadcastAsync("cluster:health", HealthMessages.NodeHealth("dotnet@test", NodeHealthStatus.Healthy));
        Assert.EndsWith(" ok dotnet@test", await a.WaitForEventAsync(e => e.StartsWith("recv ex_esdb_health", StringComparison.Ordinal), ma), StringComparison.Ordinal);
        Assert.EndsWith(" ok dotnet@test", await b.WaitForEventAsync(e => e.StartsWith("recv ex_esdb_health", StringComparison.Ordinal), mb), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flooding_node_is_counted_and_honest_messages_still_arrive()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("p"), Cookie, ElixirPeer.DefaultSecret);
        await using var link = await StartLinkAsync(peer.Node);
        await using var bus = NewBus(link);
        var (got, _) = await SubscribeAllAsync(bus);
        await WaitForMembershipAsync(peer, link, GaterInstance.Health);

        const int flood = 20_000;
        Assert.StartsWith($"flooded messages={flood}", await peer.CommandAsync($"flood ex_esdb_health {flood} forged"), StringComparison.Ordinal);
        await peer.CommandAsync("flood ex_esdb_health 5000 garbage");
        await peer.CommandAsync("publish ex_esdb_health cluster:health node_health_updated 1 secure");
        await UntilAsync(() => got.Count(d => d.Message is not null) == 1, "the honest message after the flood");
        await UntilAsync(() => link.Statistics.Rejected == flood + 5000, "every flooded message counted");
        Assert.Equal(flood + 5000, bus.Statistics.Rejected);
        Assert.Equal(1, bus.Statistics.Verified);
    }

    [Fact]
    public async Task A_wrong_cookie_is_one_clear_error()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("p"), "another-cookie", ElixirPeer.DefaultSecret);
        var e = await Assert.ThrowsAsync<GaterBackplaneException>(() => StartLinkAsync(peer.Node));
        Assert.Contains("cookie", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(peer.Node, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_secret_the_link_does_not_start_unless_unsigned_is_allowed()
    {
        var e = await Assert.ThrowsAsync<GaterConfigurationException>(() => BeamLink.StartAsync(new BeamLinkOptions { Secrets = [], Cookie = Cookie }));
        Assert.Contains("AllowUnsecured", e.Message, StringComparison.Ordinal);
    }
}

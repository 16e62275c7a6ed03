using System.Net;
using ExEsdbGater.Beam.Distribution;
using ExEsdbGater.Beam.Mapping;
using ExEsdbGater.Beam.Signing;
using ExEsdbGater.Beam.Tests.Mapping;
using ExEsdbGater.Frames;

namespace ExEsdbGater.Beam.Tests.Peer;

/// <summary>
/// The .NET node, the codec, the signer and the mapping against the Elixir peer over real distribution, both ways,
/// by PG2's direct broadcast (the worker's registered name on one node; group membership is not needed for it).
/// </summary>
public sealed class DotnetNodeWithPeerTests
{
    private const string Cookie = "gater-peer-cookie";

    private static Task<ErlangNode> StartNodeAsync() => ErlangNode.StartAsync(new ErlangNodeOptions
    {
        NodeName = ElixirPeer.UniqueName("dotnet"),
        Cookie = Cookie,
        ListenAddress = IPAddress.Loopback,
        NetTickTime = TimeSpan.FromSeconds(10),
    });

    [Fact]
    public async Task Every_vector_from_the_peer_arrives_verified_and_typed_and_a_dotnet_message_passes_the_peer_check()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("p"), Cookie, ElixirPeer.DefaultSecret);
        await using var node = await StartNodeAsync();
        // a mailbox under each instance's worker name, as a PG2 worker is registered
        var mailboxes = GaterInstances.All.ToDictionary(i => i, i => node.CreateMailbox("Elixir." + i.WireName() + ".Adapter"));
        await node.ConnectAsync(peer.Node);
        var signer = BeamSigner.FromSecrets([ElixirPeer.DefaultSecret]);

        for (var index = 0; index < BeamVectors.All.Count; index++)
        {
            var v = BeamVectors.All[index];
            Assert.Equal("sent", await peer.CommandAsync($"direct {node.Name} auto topic-{index} {index} secure"));
            using var cts = new CancellationTokenSource(ElixirPeer.Patience);
            var received = await mailboxes[v.GaterInstance].Reader.ReadAsync(cts.Token);
            var forward = Assert.IsType<ExEsdbGater.Beam.Terms.Tuple>(received.Message);
            Assert.True(forward.IsTagged("forward_to_local", 4));
            Assert.Equal(Binary.Utf8($"topic-{index}"), forward[1]);
            Assert.Equal(Atom.Of("Elixir.Phoenix.PubSub"), forward[3]);

            var verification = signer.Verify(forward[2]);
            Assert.True(verification.IsValid, verification.ToString());
            Assert.Equal(SignatureProfile.Otp25, verification.Profile);

            var mapped = BeamMapping.FromTerm(verification.Message!, v.GaterInstance, peer.Node);
            if (v.Tag == "log_summary")
            {
                Assert.Equal(RejectReason.InvalidPayload, mapped.Error); // top_errors ["a", "b"] is not a list of maps
                continue;
            }
            Assert.True(mapped.IsOk, mapped.ToString());
            Assert.Equal(v.Tag, mapped.Message!.Tag);
            if (mapped.NodeFilled)
            {
                Assert.Equal(peer.Node, OriginalShape.For(MessageCatalog.Find(mapped.Message.GetType())!).Fields.Single(f => f.Name == "node").GetValue(mapped.Message));
            }
        }

        // .NET -> Elixir: a message made here, mapped, signed as OTP 25 signs, sent to the peer's worker
        var health = HealthMessages.NodeHealth(node.Name, NodeHealthStatus.Degraded, loadAvg: 1.5);
        var signed = signer.Sign(BeamMapping.ToTerm(health));
        var mark = peer.EventCount;
        await mailboxes[GaterInstance.Health].SendAsync("Elixir.ex_esdb_health.Adapter", peer.Node,
            new ExEsdbGater.Beam.Terms.Tuple(Atom.Of("forward_to_local"), Binary.Utf8("cluster:health"), signed, Atom.Of("Elixir.Phoenix.PubSub")));
        Assert.Equal($"recv ex_esdb_health cluster:health node_health_updated ExESDBGater.Messages.HealthMessages.NodeHealth ok {node.Name}",
            await peer.WaitForEventAsync(e => e.StartsWith("recv ", StringComparison.Ordinal), mark));
    }
}

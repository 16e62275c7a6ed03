using ExEsdbGater.Beam.Distribution;

namespace ExEsdbGater.Beam.Tests.Distribution;

/// <summary>Ticks keep a silent connection up (net_ticktime 4 s on both sides).</summary>
public sealed class ErlangNodeTickTests
{
    [Fact]
    public async Task A_silent_connection_survives_three_ticktimes()
    {
        await using var erl = await ErlNode.StartAsync(ErlNode.UniqueName("erltick"), ErlangNodeFixture.Cookie);
        await using var node = await ErlangNodeFixture.StartNodeAsync(peers: [erl.Name]);
        var events = new PeerEvents(node);
        await events.WaitAsync(e => e.Peer == erl.Name && e.State == PeerState.Connected);

        // Three net_ticktimes of silence: without ticks either side would drop the other after one.
        await Task.Delay(TimeSpan.FromSeconds(12));

        Assert.DoesNotContain(events.Snapshot(), e => e.State == PeerState.Disconnected);
        Assert.Contains(erl.Name, node.ConnectedPeers);
        Assert.True(node.Stats.TicksIn > 0);
        Assert.True(node.Stats.TicksOut > 0);
        Assert.Equal("true", await erl.EvalAsync($"lists:member('{node.Name}', nodes(hidden))"));
        Assert.Equal("pong", await erl.EvalAsync($"net_adm:ping('{node.Name}')"));
        Assert.Single(events.Snapshot(), e => e.State == PeerState.Connected);
    }
}

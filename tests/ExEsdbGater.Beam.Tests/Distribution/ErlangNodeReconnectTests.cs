using ExEsdbGater.Beam.Distribution;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Tests.Distribution;

/// <summary>A kept peer that dies and comes back is reconnected, and messaging works again.</summary>
public sealed class ErlangNodeReconnectTests
{
    [Fact]
    public async Task A_killed_and_restarted_erl_node_is_reconnected()
    {
        var sname = ErlNode.UniqueName("erlvictim");
        var erl = await ErlNode.StartAsync(sname, ErlangNodeFixture.Cookie);
        try
        {
            await using var node = await ErlangNodeFixture.StartNodeAsync(peers: [erl.Name]);
            var events = new PeerEvents(node);
            await events.WaitAsync(e => e.Peer == erl.Name && e.State == PeerState.Connected);
            await using var box = node.CreateMailbox("inbox");
            await erl.EvalAsync($"{{inbox, '{node.Name}'}} ! {{me, self()}}");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var ctl = Assert.IsType<Pid>(Assert.IsType<Tuple>((await box.Reader.ReadAsync(cts.Token)).Message)[1]);
            var monitor = await box.MonitorAsync(ctl);
            await box.LinkAsync(ctl);

            erl.Kill();
            var down = await events.WaitAsync(e => e.Peer == erl.Name && e.State == PeerState.Disconnected);
            Assert.NotNull(down.Reason);
            // The monitor and the link end with noconnection, as in Erlang.
            var notes = new[] { (await box.Reader.ReadAsync(cts.Token)).Message, (await box.Reader.ReadAsync(cts.Token)).Message };
            Assert.Contains(Mailbox.Down(monitor, ctl, Atom.Of("noconnection")), notes);
            Assert.Contains(new Tuple(Atom.Of("EXIT"), ctl, Atom.Of("noconnection")), notes);
            var mark = events.Count;
            await erl.DisposeAsync();

            erl = await ErlNode.StartAsync(sname, ErlangNodeFixture.Cookie);
            await events.WaitAsync(e => e.Peer == erl.Name && e.State == PeerState.Connected, mark);
            Assert.True(node.Stats.Reconnects >= 1);

            await box.SendAsync("ctl", erl.Name, new Tuple(Atom.Of("again"), new Integer(7)));
            Assert.Equal("7", await erl.EvalAsync("receive {again, N} -> N after 10000 -> timeout end"));
        }
        finally
        {
            await erl.DisposeAsync();
        }
    }
}

using System.Threading.Channels;
using ExEsdbGater.Beam.Distribution;

namespace ExEsdbGater.Beam.Tests.Distribution;

/// <summary>A full mailbox in a Drop mode drops and counts, and other mailboxes keep receiving.</summary>
public sealed class ErlangNodeMailboxTests
{
    [Fact]
    public async Task A_full_mailbox_in_drop_mode_keeps_its_capacity_and_counts_the_rest()
    {
        await using var erl = await ErlNode.StartAsync(ErlNode.UniqueName("erlfull"), ErlangNodeFixture.Cookie);
        await using var node = await ErlangNodeFixture.StartNodeAsync(tweak: o => o with { MailboxCapacity = 10, MailboxFullMode = BoundedChannelFullMode.DropWrite });
        await using var small = node.CreateMailbox("small");
        await using var sync = node.CreateMailbox("sync");
        await erl.EvalAsync($"[{{small, '{node.Name}'}} ! {{n, I}} || I <- lists:seq(1, 100)], {{sync, '{node.Name}'}} ! done");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // Same connection, in order: when 'done' arrives, all 100 have been handled.
        Assert.Equal(Atom.Of("done"), (await sync.Reader.ReadAsync(cts.Token)).Message);
        var kept = new List<Term>();
        while (small.Reader.TryRead(out var m))
        {
            kept.Add(m.Message);
        }
        Assert.Equal(10, kept.Count);
        Assert.Equal(new ExEsdbGater.Beam.Terms.Tuple(Atom.Of("n"), new Integer(1)), kept[0]);
        Assert.Equal(90, node.Stats.MessagesDropped);
    }
}

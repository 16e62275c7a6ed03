using System.Net;
using ExEsdbGater.Beam.Distribution;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Tests.Distribution;

/// <summary>Long names (-name alive@127.0.0.1) both ways.</summary>
public sealed class ErlangNodeLongNameTests
{
    [Fact]
    public async Task Long_names_connect_both_ways()
    {
        await using var erl = await ErlNode.StartAsync(ErlNode.UniqueName("erllong"), ErlangNodeFixture.Cookie, longHost: "127.0.0.1");
        await using var node = await ErlangNode.StartAsync(new ErlangNodeOptions
        {
            NodeName = ErlNode.UniqueName("dotnetlong") + "@127.0.0.1",
            LongNames = true,
            Cookie = ErlangNodeFixture.Cookie,
            ListenAddress = IPAddress.Loopback,
            NetTickTime = TimeSpan.FromSeconds(4),
        });
        Assert.Equal("pong", await erl.EvalAsync($"net_adm:ping('{node.Name}')"));
        await using var box = node.CreateMailbox();
        await box.SendAsync("ctl", erl.Name, new Tuple(Atom.Of("long"), new Integer(1)));
        Assert.Equal("1", await erl.EvalAsync("receive {long, N} -> N after 10000 -> timeout end"));
        Assert.Throws<DistributionException>(() => ErlangNodeName.Parse("x@host.example", longNames: false));
    }
}

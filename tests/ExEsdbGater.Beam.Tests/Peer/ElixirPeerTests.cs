using ExEsdbGater.Beam.Tests.Mapping;

namespace ExEsdbGater.Beam.Tests.Peer;

/// <summary>
/// The Elixir test peer against itself: two real nodes, the :pg scope and PG2 workers, the original's signing and
/// checking. What passes here is what the .NET node will be held to.
/// </summary>
public sealed class ElixirPeerTests
{
    private const string Cookie = "gater-peer-cookie";

    private static async Task<(ElixirPeer A, ElixirPeer B)> ConnectedPairAsync(string? secretB = null)
    {
        var a = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("a"), Cookie, ElixirPeer.DefaultSecret);
        var b = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("b"), Cookie, secretB ?? ElixirPeer.DefaultSecret);
        Assert.Equal("connected true", await a.CommandAsync("connect " + b.Node));
        // :pg syncs the groups of a new node by itself; wait for every instance's worker to be seen both ways
        foreach (var instance in GaterInstances.All)
        {
            await a.CommandUntilAsync("members " + instance.WireName(), r => r == "members 1 " + b.Node);
            await b.CommandUntilAsync("members " + instance.WireName(), r => r == "members 1 " + a.Node);
        }
        return (a, b);
    }

    [Fact]
    public async Task The_peer_builds_every_vector_with_the_original_bytes()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("v"), Cookie, ElixirPeer.DefaultSecret);
        Assert.Equal("vectors 36", await peer.CommandAsync("vectors"));
        for (var i = 0; i < BeamVectors.All.Count; i++)
        {
            // OTP 25's term_to_binary of the struct the peer built from the vector's expression: the catalog's field
            // lists (node left out where the original has none) give the original's bytes exactly
            Assert.Equal("ttb " + Convert.ToHexStringLower(BeamVectors.All[i].Latin1), await peer.CommandAsync("ttb " + i));
        }
    }

    [Fact]
    public async Task A_broadcast_reaches_the_other_node_and_is_checked_the_original_way()
    {
        var (a, b) = await ConnectedPairAsync();
        await using (a)
        await using (b)
        {
            var mark = b.EventCount;
            Assert.Equal("published messages=1 sends=1", await a.CommandAsync("publish ex_esdb_health cluster:health node_health_updated 1 secure"));
            Assert.Equal("recv ex_esdb_health cluster:health node_health_updated ExESDBGater.Messages.HealthMessages.NodeHealth ok seed@localhost",
                await b.WaitForEventAsync(e => e.StartsWith("recv ", StringComparison.Ordinal), mark));

            foreach (var (mode, verdict) in new[]
            {
                ("forged", "invalid_signature"), ("tampered", "invalid_signature"), ("unsecured", "unsecured_message_rejected"), ("secure", "ok"),
            })
            {
                mark = b.EventCount;
                Assert.Equal("published messages=1 sends=1", await a.CommandAsync($"publish ex_esdb_alerts critical alert_acknowledged 1 {mode}"));
                // alert_acknowledged has no node field: the origin is unknown to a plain send
                Assert.Equal($"recv ex_esdb_alerts critical alert_acknowledged ExESDBGater.Messages.AlertMessages.AlertAck {verdict} -",
                    await b.WaitForEventAsync(e => e.StartsWith("recv ", StringComparison.Ordinal), mark, mode));
            }

            mark = b.EventCount;
            await a.CommandAsync("publish ex_esdb_logging x 0 1 garbage");
            Assert.Equal("recv ex_esdb_logging x - - invalid_format -", await b.WaitForEventAsync(e => e.StartsWith("recv ", StringComparison.Ordinal), mark));

            // every vector, each on its own instance
            mark = b.EventCount;
            Assert.Equal("published messages=36 sends=36", await a.CommandAsync("publish auto all-types all 1 secure"));
            foreach (var v in BeamVectors.All)
            {
                await b.WaitForEventAsync(e => e.StartsWith($"recv {v.Instance} all-types {v.Tag} {v.Struct} ok ", StringComparison.Ordinal), mark, v.Tag);
            }
            Assert.Equal(36, b.Events.Skip(mark).Count(e => e.Contains(" all-types ", StringComparison.Ordinal)));
            Assert.StartsWith("last {:secure_message, <<", await b.CommandAsync("last ex_esdb_logging"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_signature_over_otp26_atoms_fails_on_an_otp25_receiver_and_direct_sends_arrive()
    {
        var (a, b) = await ConnectedPairAsync();
        await using (a)
        await using (b)
        {
            // the same message and secret, signed over UTF-8 atoms as an OTP 26 sender's term_to_binary writes them:
            // the OTP 25 receiver re-encodes with latin-1 atoms, so the bytes and the HMAC differ
            var mark = b.EventCount;
            await a.CommandAsync("publish ex_esdb_metrics perf performance_metric 1 secure_utf8");
            Assert.EndsWith(" performance_metric ExESDBGater.Messages.MetricsMessages.PerformanceMetric invalid_signature seed@localhost",
                await b.WaitForEventAsync(e => e.StartsWith("recv ", StringComparison.Ordinal), mark), StringComparison.Ordinal);

            // PG2's direct_broadcast: the tuple to the registered worker name on one node
            mark = b.EventCount;
            Assert.Equal("sent", await a.CommandAsync($"direct {b.Node} auto direct-topic session_event secure"));
            Assert.Equal("recv ex_esdb_security direct-topic session_event ExESDBGater.Messages.SecurityMessages.SessionEvent ok seed@localhost",
                await b.WaitForEventAsync(e => e.StartsWith("recv ", StringComparison.Ordinal), mark));
        }
    }

    [Fact]
    public async Task A_receiver_with_another_secret_or_none_refuses()
    {
        var (a, b) = await ConnectedPairAsync(secretB: "another-secret");
        await using (a)
        await using (b)
        {
            var mark = b.EventCount;
            await a.CommandAsync("publish ex_esdb_system config 0 1 secure");
            Assert.EndsWith(" invalid_signature seed@localhost", await b.WaitForEventAsync(e => e.StartsWith("recv ", StringComparison.Ordinal), mark), StringComparison.Ordinal);
        }
        await using var c = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("c"), Cookie, ElixirPeer.DefaultSecret);
        await using var d = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("d"), Cookie, secret: null);
        Assert.Equal("connected true", await c.CommandAsync("connect " + d.Node));
        await c.CommandUntilAsync("members ex_esdb_system", r => r == "members 1 " + d.Node);
        var m = d.EventCount;
        await c.CommandAsync("publish ex_esdb_system config 0 1 secure");
        Assert.EndsWith(" no_secret_configured seed@localhost", await d.WaitForEventAsync(e => e.StartsWith("recv ", StringComparison.Ordinal), m), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_peer_leaves_the_groups_and_rejoins_after_a_restart()
    {
        var (a, b) = await ConnectedPairAsync();
        await using (a)
        await using (b)
        {
            b.Kill();
            Assert.False(b.IsRunning);
            await a.CommandUntilAsync("members ex_esdb_health", r => r == "members 0");
            Assert.Equal("published messages=1 sends=0", await a.CommandAsync("publish ex_esdb_health t 3 1 secure"));

            await b.RestartAsync();
            Assert.Equal("pong", await a.CommandAsync("ping " + b.Node));
            await a.CommandUntilAsync("members ex_esdb_health", r => r == "members 1 " + b.Node);
            var mark = b.EventCount;
            Assert.Equal("published messages=1 sends=1", await a.CommandAsync("publish ex_esdb_health t 3 1 secure"));
            Assert.EndsWith(" ok seed@localhost", await b.WaitForEventAsync(e => e.StartsWith("recv ex_esdb_health t ", StringComparison.Ordinal), mark), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Rate_and_flood_are_counted_and_the_receiver_stays_up()
    {
        var (a, b) = await ConnectedPairAsync();
        await using (a)
        await using (b)
        {
            Assert.Equal("quiet on", await b.CommandAsync("quiet on"));
            Assert.StartsWith("rate messages=2000 members=1 elapsed_us=", await a.CommandAsync("rate ex_esdb_metrics 2000"), StringComparison.Ordinal);
            await b.CommandUntilAsync("stats ex_esdb_metrics", r => r.StartsWith("stats received=2000 ok=2000 ", StringComparison.Ordinal));

            Assert.Equal("reset", await b.CommandAsync("reset ex_esdb_metrics"));
            foreach (var kind in new[] { "garbage", "forged", "stray", "big" })
            {
                Assert.Equal("flooded messages=20 members=1", await a.CommandAsync($"flood ex_esdb_metrics 20 {kind}"));
            }
            await b.CommandUntilAsync("stats ex_esdb_metrics", r => r.StartsWith("stats received=80 ok=0 ", StringComparison.Ordinal));
            Assert.Equal("pong", await b.CommandAsync("ping " + a.Node));
        }
    }

    [Fact]
    public async Task Bad_commands_answer_with_one_error_line()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("e"), Cookie, ElixirPeer.DefaultSecret);
        Assert.Equal("error unknown command: bogus 1", await peer.CommandAsync("bogus 1"));
        Assert.Equal("error unknown mode sideways (secure, secure_utf8, unsecured, forged, tampered, garbage)", await peer.CommandAsync("publish ex_esdb_health t 0 1 sideways"));
        Assert.Equal("error no vector nope", await peer.CommandAsync("publish ex_esdb_health t nope 1 secure"));
        Assert.Equal("pang", await peer.CommandAsync("ping nobody@nowhere"));
        Assert.Equal("members 0", await peer.CommandAsync("members ex_esdb_audit"));
        Assert.Equal("bye", await peer.CommandAsync("quit"));
    }
}

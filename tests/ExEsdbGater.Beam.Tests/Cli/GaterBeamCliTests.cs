using System.Text.Json;
using ExEsdbGater.Beam.Tests.Peer;
using Gater.Cli.Tests;

namespace ExEsdbGater.Beam.Tests.Cli;

/// <summary>The gater command's --beam, as a real process against a real Elixir node.</summary>
public sealed class GaterBeamCliTests
{
    private const string Cookie = "gater-cli-beam-cookie";

    private static Dictionary<string, string?> Env() => new() { ["SECRET_KEY_BASE"] = ElixirPeer.DefaultSecret };

    private static async Task UntilAsync(Func<bool> done, string what)
    {
        using var cts = new CancellationTokenSource(ElixirPeer.Patience);
        while (!done())
        {
            try
            {
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("timed out waiting for " + what);
            }
        }
    }

    [Fact]
    public async Task Tail_beam_prints_the_elixir_nodes_messages_verified_and_typed()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("p"), Cookie, ElixirPeer.DefaultSecret);
        var sname = ElixirPeer.UniqueName("tail");
        using var tail = GaterProcess.Start(["tail", "--instance", "ex_esdb_health", "--topic", "cluster:*", "--beam", peer.Node, "--cookie", Cookie, "--sname", sname, "--json", "--count", "3"], Env());
        await peer.CommandUntilAsync("members ex_esdb_health", l => l.Contains(sname, StringComparison.Ordinal));
        await peer.CommandAsync("publish ex_esdb_health cluster:health node_health_updated 2 secure");
        await peer.CommandAsync("publish ex_esdb_health cluster:health node_health_updated 1 forged");
        await tail.WaitAsync(ElixirPeer.Patience);
        Assert.Equal(0, tail.ExitCode);
        var lines = tail.Output.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(3, lines.Length);
        var ok = lines.Where(l => l.GetProperty("ok").GetBoolean()).ToArray();
        Assert.Equal(2, ok.Length);
        Assert.All(ok, l =>
        {
            Assert.Equal("beam", l.GetProperty("origin").GetString());
            Assert.Equal("otp25", l.GetProperty("verification").GetString());
            Assert.Equal("node_health_updated", l.GetProperty("type").GetString());
            Assert.Equal("cluster:health", l.GetProperty("topic").GetString());
        });
        Assert.Equal("invalid_signature", Assert.Single(lines, l => !l.GetProperty("ok").GetBoolean()).GetProperty("reason").GetString());
        Assert.Contains(tail.Errors, e => e.StartsWith("following ex_esdb_health cluster:* on beam (" + peer.Node, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publish_beam_reaches_the_elixir_subscribers_and_passes_their_check()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("p"), Cookie, ElixirPeer.DefaultSecret);
        var mark = peer.EventCount;
        var (code, output, errors) = await GaterProcess.RunAsync(
            ["publish", "--instance", "ex_esdb_health", "--type", "node_health_updated", "--set", "node=dotnet@test", "--set", "status=degraded", "--topic", "cluster:health", "--beam", peer.Node, "--cookie", Cookie, "--node-name", "dotnet@test"],
            Env(), timeout: ElixirPeer.Patience);
        Assert.True(code == 0, string.Join('\n', errors));
        var line = JsonDocument.Parse(Assert.Single(output)).RootElement;
        Assert.True(line.GetProperty("sent").GetBoolean());
        Assert.Equal(1, line.GetProperty("beam_members").GetInt32());
        Assert.Equal("recv ex_esdb_health cluster:health node_health_updated ExESDBGater.Messages.HealthMessages.NodeHealth ok dotnet@test",
            await peer.WaitForEventAsync(e => e.StartsWith("recv ", StringComparison.Ordinal), mark));
    }

    [Fact]
    public async Task Dashboard_beam_shows_the_elixir_nodes_messages()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("p"), Cookie, ElixirPeer.DefaultSecret);
        var sname = ElixirPeer.UniqueName("dash");
        var port = FreePort();
        using var dashboard = GaterProcess.Start(["dashboard", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-rogue", "--nodes", "1", "--beam", peer.Node, "--cookie", Cookie, "--sname", sname], Env());
        await UntilAsync(() => dashboard.Output.Any(l => l.StartsWith("gater dashboard: http", StringComparison.Ordinal)), "the dashboard's URL");
        await peer.CommandUntilAsync("members ex_esdb_health", l => l.Contains(sname, StringComparison.Ordinal));
        // the vector's NodeHealth names seed@localhost, a node the embedded cluster does not have
        await peer.CommandAsync("publish ex_esdb_health cluster:health node_health_updated 1 secure");
        using var http = new HttpClient { Timeout = ElixirPeer.Patience };
        using var events = await http.GetStreamAsync(new Uri($"http://127.0.0.1:{port}/gater/events"));
        using var reader = new StreamReader(events);
        using var cts = new CancellationTokenSource(ElixirPeer.Patience);
        string? line;
        var seen = false;
        while (!seen && (line = await reader.ReadLineAsync(cts.Token)) is not null)
        {
            seen = line.Contains("seed@localhost", StringComparison.Ordinal);
        }
        Assert.True(seen, "the Elixir node's NodeHealth on the dashboard");
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_wrong_cookie_or_an_unknown_node_is_one_line_and_exit_1()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("p"), Cookie, ElixirPeer.DefaultSecret);
        var (code, _, errors) = await GaterProcess.RunAsync(["tail", "--instance", "ex_esdb_health", "--topic", "*", "--beam", peer.Node, "--cookie", "not-the-cookie"], Env(), timeout: ElixirPeer.Patience);
        Assert.Equal(1, code);
        var error = Assert.Single(errors);
        Assert.Contains("cookie", error, StringComparison.OrdinalIgnoreCase);

        (code, _, errors) = await GaterProcess.RunAsync(["tail", "--instance", "ex_esdb_health", "--topic", "*", "--beam", "nobody_here@" + peer.Node.Split('@')[1], "--cookie", Cookie], Env(), timeout: ElixirPeer.Patience);
        Assert.Equal(1, code);
        Assert.Contains("nobody_here", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tail --instance ex_esdb_health --topic * --cookie c", "--cookie and --sname go with --beam")]
    [InlineData("tail --instance ex_esdb_health --topic * --beam nohost", "Elixir node names")]
    [InlineData("publish --instance ex_esdb_health --type node_health_updated --dry-run --beam a@b", "leave out --redis and --beam")]
    public async Task Beam_usage_errors_exit_2(string command, string message)
    {
        var (code, _, errors) = await GaterProcess.RunAsync(command.Split(' '), Env());
        Assert.Equal(2, code);
        Assert.Contains(message, string.Join('\n', errors), StringComparison.Ordinal);
    }
}

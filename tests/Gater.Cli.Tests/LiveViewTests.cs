using System.Text.RegularExpressions;

namespace Gater.Cli.Tests;

/// <summary>
/// The demo's live view on a real 80×24 terminal (tmux, whose screen is read back as text): every node row, the
/// rogue's label, and a header that agrees with the rows.
/// </summary>
public sealed partial class LiveViewTests
{
    private const string Secret = "live-view-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    private static string Demo(string args) => $"dotnet '{GaterProcess.GaterDll}' demo {args}; sleep 60";

    private static void AssertFits(string[] screen, int width, int height)
    {
        Assert.True(screen.Length <= height + 1, $"{screen.Length} lines");
        Assert.All(screen, l => Assert.True(l.Length <= width, l));
    }

    /// <summary>The node rows of the table: name and health, each cell whole.</summary>
    private static (string Node, string Health)[] NodeRows(string[] screen)
        => screen.Select(l => NodeRow().Match(l)).Where(m => m.Success).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToArray();

    private static void AssertHeaderAgrees(string[] screen, int nodes)
    {
        var header = string.Join("\n", screen.Take(2));
        var m = HeaderCount().Match(header);
        Assert.True(m.Success, header);
        var rows = NodeRows(screen);
        Assert.Equal(nodes, rows.Length);
        Assert.Equal(rows.Count(r => r.Health == "healthy").ToString(System.Globalization.CultureInfo.InvariantCulture), m.Groups[1].Value);
        Assert.Equal(nodes.ToString(System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value);
    }

    [Fact]
    public async Task At_80x24_every_node_row_and_the_rogue_label_are_visible()
    {
        using var t = new Terminal(80, 24, Demo("--duration 40s"));
        var screen = await t.WaitForScreenAsync(s => NodeRows(s).Length == 3 && NodeRows(s).All(r => r.Health != "unknown") && s.Any(l => l.Contains("rogue publisher (simulated attacker)", StringComparison.Ordinal)));
        var text = string.Join("\n", screen);
        AssertFits(screen, 80, 24);
        Assert.Equal(["store1", "store2", "store3"], NodeRows(screen).Select(r => r.Node.Split('@')[0]));
        Assert.Contains("rogue publisher (simulated attacker)", text, StringComparison.Ordinal);
        AssertHeaderAgrees(screen, 3);
        // whole column headers, none cut
        Assert.Matches(@"│ node +│ health +│ msgs +│", text);
    }

    [Fact]
    public async Task A_small_terminal_summarises_nodes_it_cannot_show()
    {
        using var t = new Terminal(60, 14, Demo("--nodes 8 --duration 40s"));
        var screen = await t.WaitForScreenAsync(s => s.Any(l => l.Contains("more node(s)", StringComparison.Ordinal)) && s.Any(l => l.Contains("rogue publisher", StringComparison.Ordinal)));
        AssertFits(screen, 60, 14);
        var text = string.Join("\n", screen);
        var more = MoreNodes().Match(text);
        Assert.True(more.Success, text);
        Assert.Equal(8, NodeRows(screen).Length + int.Parse(more.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("rogue publisher (simulated attacker)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_redis_the_header_counts_the_nodes_of_every_process()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            var env = new Dictionary<string, string?> { ["SECRET_KEY_BASE"] = Secret };
            using var other = GaterProcess.Start(["demo", "--json", "--no-rogue", "--duration", "60s", "--redis", redis.ConnectionString, "--node-name", "a@test"], env);
            using var t = new Terminal(80, 24, $"SECRET_KEY_BASE={Secret} " + Demo($"--duration 40s --redis {redis.ConnectionString} --node-name b@test"));
            var screen = await t.WaitForScreenAsync(s => NodeRows(s).Length == 2 && NodeRows(s).All(r => r.Health != "unknown"));
            AssertFits(screen, 80, 24);
            Assert.Equal(["a@test", "b@test"], NodeRows(screen).Select(r => r.Node));
            AssertHeaderAgrees(screen, 2);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [GeneratedRegex(@"^│ (\S+) +│ (healthy|degraded|unhealthy|unknown) +│")]
    private static partial Regex NodeRow();

    [GeneratedRegex(@"nodes (\d+)/(\d+) healthy")]
    private static partial Regex HeaderCount();

    [GeneratedRegex(@"and (\d+) more node\(s\)")]
    private static partial Regex MoreNodes();
}

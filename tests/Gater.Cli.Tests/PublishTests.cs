using System.Text.Json;

namespace Gater.Cli.Tests;

/// <summary>publish never claims to have sent what went nowhere; options do what their help says.</summary>
public sealed class PublishTests
{
    private const string Secret = "publish-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private static readonly Dictionary<string, string?> WithSecret = new() { ["SECRET_KEY_BASE"] = Secret };
    private static readonly string[] Alert = ["publish", "--instance", "ex_esdb_alerts", "--type", "system_alert", "--set", "severity=critical", "--set", "category=system", "--set", "title=Disk full", "--set", "description=/var at 99%", "--set", "source=disk_monitor"];

    [Theory]
    [InlineData(new string[0], "needs --redis CONN or --beam NODE (or --dry-run")]
    [InlineData(new[] { "--dry-run", "--redis", "127.0.0.1:6379" }, "--dry-run sends nothing")]
    [InlineData(new[] { "--dry-run", "--set", "title=again" }, "'--set title' is given twice")]
    public async Task Publish_mistakes_exit_2(string[] extra, string expected)
    {
        var (code, output, err) = await GaterProcess.RunAsync([.. Alert, .. extra], WithSecret);
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains(expected, Assert.Single(err), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_over_redis_says_it_was_sent_and_a_tail_receives_it()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            using var tail = GaterProcess.Start(["tail", "--json", "--count", "1", "--instance", "ex_esdb_alerts", "--topic", "*", "--redis", redis.ConnectionString], WithSecret);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!tail.Errors.Any(l => l.StartsWith("following", StringComparison.Ordinal)))
            {
                Assert.False(tail.HasExited, string.Join(" | ", tail.Errors));
                await Task.Delay(100, cts.Token);
            }
            var (code, output, err) = await GaterProcess.RunAsync([.. Alert, "--redis", redis.ConnectionString], WithSecret);
            Assert.True(code == 0, string.Join("\n", err));
            var line = JsonDocument.Parse(Assert.Single(output)).RootElement;
            Assert.True(line.GetProperty("sent").GetBoolean());
            await tail.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(line.GetProperty("id").GetString(), JsonDocument.Parse(Assert.Single(tail.Output)).RootElement.GetProperty("id").GetString());
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("tail")]
    [InlineData("publish")]
    public async Task Help_does_not_promise_an_embedded_default_where_there_is_none(string command)
    {
        var (_, output, _) = await GaterProcess.RunAsync([command, "--help"]);
        Assert.DoesNotContain(output, l => l.Contains("default: embedded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Demo_node_name_without_redis_is_refused()
    {
        var (code, _, err) = await GaterProcess.RunAsync(["demo", "--node-name", "a@h"]);
        Assert.Equal(2, code);
        Assert.Contains("--node-name", Assert.Single(err), StringComparison.Ordinal);
    }
}

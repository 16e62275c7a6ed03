using System.Text.Json;

namespace Gater.Cli.Tests;

/// <summary>gater demo over Redis when Redis goes away mid-run: the outage is reported, and the summary says so.</summary>
public sealed class DemoOutageTests
{
    private const string Secret = "demo-outage-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    [Fact]
    public async Task Killing_redis_mid_run_is_reported_as_it_happens_and_in_the_summary()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            var env = new Dictionary<string, string?> { ["SECRET_KEY_BASE"] = Secret };
            using var demo = GaterProcess.Start(["demo", "--json", "--no-rogue", "--rate", "50", "--duration", "12s", "--redis", redis.ConnectionString, "--node-name", "outage@test"], env);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (demo.Output.Count < 50)
            {
                Assert.False(demo.HasExited, string.Join(" | ", demo.Errors));
                await Task.Delay(100, cts.Token);
            }
            // redis-server killed, back on the same port 2 s later
            await redis.RestartAsync(TimeSpan.FromSeconds(2));
            await demo.WaitAsync(TimeSpan.FromSeconds(90));

            var lines = demo.Output.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            var states = lines.Where(l => l.TryGetProperty("backplane", out _)).Select(l => l.GetProperty("backplane").GetString()).ToArray();
            Assert.Contains("disconnected", states);
            Assert.Contains("reconnected", states);
            Assert.Contains(demo.Errors, l => l.Contains("redis disconnected", StringComparison.Ordinal));
            Assert.Contains(demo.Errors, l => l.Contains("redis reconnected", StringComparison.Ordinal));
            var summary = lines[^1];
            Assert.True(summary.GetProperty("summary").GetBoolean());
            Assert.True(summary.GetProperty("disconnects").GetInt64() >= 1, summary.ToString());
            Assert.True(summary.GetProperty("reconnects").GetInt64() >= 1, summary.ToString());
            Assert.True(summary.GetProperty("publish_failures").GetInt64() > 0, summary.ToString());
            Assert.Contains(demo.Errors, l => l.StartsWith("gater demo: redis was lost", StringComparison.Ordinal));
            // messages went nowhere: not a clean exit
            Assert.Equal(1, demo.ExitCode);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_run_without_outages_says_so_and_exits_0()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            var env = new Dictionary<string, string?> { ["SECRET_KEY_BASE"] = Secret };
            var (code, output, err) = await GaterProcess.RunAsync(["demo", "--json", "--no-rogue", "--duration", "2s", "--redis", redis.ConnectionString, "--node-name", "calm@test"], env);
            Assert.True(code == 0, string.Join("\n", err));
            using var summary = JsonDocument.Parse(output[^1]);
            Assert.Equal(0, summary.RootElement.GetProperty("disconnects").GetInt64());
            Assert.Equal(0, summary.RootElement.GetProperty("publish_failures").GetInt64());
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }
}

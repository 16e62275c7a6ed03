namespace Gater.Cli.Tests;

/// <summary>What 'gater tail --help' says about Redis outages: reported on stderr, tail reconnects, losses show as gaps.</summary>
public sealed class TailOutageTests
{
    private const string Secret = "tail-outage-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    [Fact]
    public async Task A_redis_restart_is_reported_and_tail_carries_on_with_the_loss_as_a_gap()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            var env = new Dictionary<string, string?> { ["SECRET_KEY_BASE"] = Secret };
            using var tail = GaterProcess.Start(["tail", "--json", "--instance", "ex_esdb_metrics", "--topic", "*", "--redis", redis.ConnectionString], env);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (!tail.Errors.Any(l => l.StartsWith("following", StringComparison.Ordinal)))
            {
                Assert.False(tail.HasExited, string.Join(" | ", tail.Errors));
                await Task.Delay(100, cts.Token);
            }
            using var publisher = GaterProcess.Start(["demo", "--json", "--no-rogue", "--rate", "50", "--duration", "60s", "--redis", redis.ConnectionString, "--node-name", "pub@test"], env);
            while (tail.Output.Count < 20)
            {
                Assert.False(tail.HasExited, string.Join(" | ", tail.Errors));
                await Task.Delay(100, cts.Token);
            }
            await redis.RestartAsync(TimeSpan.FromSeconds(2));
            var before = tail.Output.Count;
            // after the restart: tail is still running, reconnected, and sees new messages and the gap
            while (!(tail.Output.Count > before + 20 && tail.Errors.Any(l => l.StartsWith("gap: ", StringComparison.Ordinal))))
            {
                Assert.False(tail.HasExited, string.Join(" | ", tail.Errors));
                await Task.Delay(100, cts.Token);
            }
            Assert.Contains(tail.Errors, l => l.StartsWith("redis: Disconnected", StringComparison.Ordinal));
            Assert.Contains(tail.Errors, l => l.StartsWith("redis: Reconnected", StringComparison.Ordinal));
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }
}

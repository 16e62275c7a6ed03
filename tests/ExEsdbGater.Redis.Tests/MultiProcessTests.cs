using System.Text.Json;
using ExEsdbGater.Testing;
using Gater.Cli.Tests;

namespace ExEsdbGater.Redis.Tests;

/// <summary>Real gater processes talking through a real redis-server.</summary>
public sealed class MultiProcessTests : IAsyncLifetime
{
    private const string Secret = "multi-process-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    private Dictionary<string, string?> Env => new() { ["SECRET_KEY_BASE"] = Secret };

    private static Task Until(Func<bool> condition, TimeSpan timeout, string what) => Waiting.UntilAsync(condition, what, timeout);

    private static JsonElement[] Json(IEnumerable<string> lines) => lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();

    [Fact]
    public async Task Two_processes_exchange_verified_messages_of_every_instance()
    {
        using var b = GaterProcess.Start(["demo", "--redis", _redis.ConnectionString, "--node-name", "b@host", "--json", "--duration", "14s", "--no-rogue", "--prefix", "mp1:"], Env);
        await Until(() => b.Output.Count > 0, TimeSpan.FromSeconds(30), "b to start");
        using var a = GaterProcess.Start(["demo", "--redis", _redis.ConnectionString, "--node-name", "a@host", "--json", "--duration", "6s", "--no-rogue", "--prefix", "mp1:"], Env);
        await a.WaitAsync(TimeSpan.FromSeconds(60));
        await b.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(a.ExitCode == 0, string.Join("\n", a.Errors));
        Assert.True(b.ExitCode == 0, string.Join("\n", b.Errors));
        var fromA = Json(b.Output).Where(l => l.TryGetProperty("ok", out var ok) && ok.GetBoolean() && l.GetProperty("node").GetString() == "a@host").ToArray();
        Assert.Equal(10, fromA.Select(l => l.GetProperty("instance").GetString()).Distinct().Count());
        Assert.True(fromA.Select(l => l.GetProperty("type").GetString()).Distinct().Count() >= 30);
        var summaryB = Json(b.Output)[^1];
        Assert.Equal(0, summaryB.GetProperty("rejected").GetInt64());
        // and the other way round
        var fromB = Json(a.Output).Where(l => l.TryGetProperty("ok", out var ok) && ok.GetBoolean() && l.GetProperty("node").GetString() == "b@host").ToArray();
        Assert.NotEmpty(fromB);
    }

    [Fact]
    public async Task A_process_with_another_secret_is_rejected_not_believed()
    {
        using var b = GaterProcess.Start(["tail", "--instance", "ex_esdb_health", "--topic", "*", "--redis", _redis.ConnectionString, "--json", "--duration", "8s", "--prefix", "mp2:"], Env);
        await Until(() => b.Errors.Any(e => e.StartsWith("following", StringComparison.Ordinal)) || b.Output.Count > 0 || b.HasExited, TimeSpan.FromSeconds(30), "tail to start");
        await Task.Delay(500);
        var (code, _, err) = await GaterProcess.RunAsync(["publish", "--instance", "ex_esdb_health", "--type", "node_health_updated", "--set", "node=x@y", "--set", "status=healthy", "--redis", _redis.ConnectionString, "--prefix", "mp2:", "--node-name", "intruder@evil"],
            new Dictionary<string, string?> { ["SECRET_KEY_BASE"] = "some-other-secret-0123456789-abcdefghijklmnopqrstuvwxyz" });
        Assert.True(code == 0, string.Join("\n", err));
        await b.WaitAsync(TimeSpan.FromSeconds(30));
        var lines = Json(b.Output);
        Assert.Contains(lines, l => !l.GetProperty("ok").GetBoolean() && l.GetProperty("reason").GetString() == "unknown_key");
        Assert.DoesNotContain(lines, l => l.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Redis_restart_mid_stream_recovers_and_reports_the_gap()
    {
        using var tail = GaterProcess.Start(["tail", "--instance", "ex_esdb_metrics", "--topic", "*", "--redis", _redis.ConnectionString, "--json", "--duration", "22s", "--prefix", "mp3:"], Env);
        await Until(() => tail.Errors.Any(e => e.StartsWith("following", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "tail to start");
        using var pub = GaterProcess.Start(["demo", "--redis", _redis.ConnectionString, "--node-name", "pub@host", "--json", "--duration", "20s", "--no-rogue", "--rate", "60", "--prefix", "mp3:"], Env);
        await Until(() => tail.Output.Count > 20, TimeSpan.FromSeconds(30), "traffic before the restart");
        var before = tail.Output.Count;
        await _redis.RestartAsync(TimeSpan.FromSeconds(1));
        var restartedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await pub.WaitAsync(TimeSpan.FromSeconds(60));
        await tail.WaitAsync(TimeSpan.FromSeconds(60));
        // publishes made while Redis was down went nowhere: the demo says so and does not claim success
        Assert.True(pub.ExitCode == 1, string.Join("\n", pub.Errors));
        Assert.Contains(pub.Errors, e => e.Contains("publish(es) failed and went nowhere", StringComparison.Ordinal));
        Assert.True(tail.ExitCode == 0, string.Join("\n", tail.Errors));
        Assert.DoesNotContain(pub.Errors.Concat(tail.Errors), e => e.Contains("Unhandled exception", StringComparison.Ordinal));
        var after = Json(tail.Output).Where(l => l.GetProperty("ok").GetBoolean() && l.GetProperty("ts").GetInt64() > restartedAt + 500).ToArray();
        Assert.True(after.Length > 10, $"messages after the restart: {after.Length} (before: {before})");
        Assert.Contains(tail.Errors, e => e.StartsWith("gap: ", StringComparison.Ordinal) && e.Contains("pub@host", StringComparison.Ordinal));
        Assert.Contains(tail.Errors, e => e.StartsWith("redis: Reconnected", StringComparison.Ordinal));
        // sequence numbers keep growing per topic after the restart: the publisher never restarted its epoch
        var seqs = Json(tail.Output).Where(l => l.GetProperty("ok").GetBoolean() && l.GetProperty("topic").GetString() == "vehicle_store:latency").Select(l => l.GetProperty("seq").GetInt64()).ToArray();
        Assert.Equal(seqs.Order(), seqs);
    }
}

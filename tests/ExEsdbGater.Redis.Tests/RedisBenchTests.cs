using System.Text.Json;
using Gater.Cli.Tests;

namespace ExEsdbGater.Redis.Tests;

/// <summary>The shape and arithmetic of <c>gater bench --redis --json</c>, never its speed (the machine is shared).</summary>
public sealed class RedisBenchTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Bench_redis_reports_both_rates_their_ratio_and_cpu_per_message_with_nothing_lost()
    {
        var (code, lines, err) = await GaterProcess.RunAsync(["bench", "--json", "--seconds", "0.05", "--redis", redis.ConnectionString], timeout: TimeSpan.FromSeconds(240));
        Assert.True(code == 0, string.Join("\n", err));
        using var doc = JsonDocument.Parse(Assert.Single(lines));
        var results = doc.RootElement.GetProperty("results");
        var raw = results.GetProperty("raw_redis_pubsub").GetDouble();
        var ours = results.GetProperty("redis_end_to_end").GetDouble();
        Assert.True(raw > 0 && ours > 0);
        // a throughput ratio: ours over raw (rates rounded to whole messages, the ratio to 3 decimals)
        Assert.Equal(ours / raw, doc.RootElement.GetProperty("ratios").GetProperty("redis_end_to_end_vs_raw").GetDouble(), 0.002);
        var details = doc.RootElement.GetProperty("details");
        Assert.Equal(0, details.GetProperty("redis_rejected").GetDouble());
        Assert.Equal(0, details.GetProperty("redis_gaps").GetDouble());
        Assert.True(details.GetProperty("redis_messages").GetDouble() >= 20_000);
        var cpu = details.GetProperty("redis_cpu_us_per_msg");
        Assert.Equal(["raw", "ours"], cpu.EnumerateObject().Select(p => p.Name));
        foreach (var side in cpu.EnumerateObject())
        {
            Assert.Equal(["publisher", "redis_server", "subscriber"], side.Value.EnumerateObject().Select(p => p.Name));
            Assert.All(side.Value.EnumerateObject(), p => Assert.True(p.Value.GetDouble() >= 0, $"{side.Name}.{p.Name}"));
            // every message costs its publisher something
            Assert.True(side.Value.GetProperty("publisher").GetDouble() > 0, side.Name);
        }
    }
}

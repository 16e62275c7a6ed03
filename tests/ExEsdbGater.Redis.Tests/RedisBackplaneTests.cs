using ExEsdbGater.Tests.Bus;

namespace ExEsdbGater.Redis.Tests;

/// <summary>The backplane contract over a real redis-server.</summary>
public sealed class RedisBackplaneTests : BackplaneContractTests, IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8] + ":";

    public RedisBackplaneTests(RedisServer redis) => _redis = redis;

    protected override async ValueTask<IGaterBackplane> ConnectAsync()
        => await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = _redis.ConnectionString, Prefix = _prefix });
}

public sealed class RedisBackplaneSpecificTests : IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;

    public RedisBackplaneSpecificTests(RedisServer redis) => _redis = redis;

    [Theory]
    [InlineData("cluster:*", "exg:ex_esdb_health:cluster:*")]
    [InlineData("a?b", "exg:ex_esdb_health:a\\?b")]
    [InlineData("x[1]*", "exg:ex_esdb_health:x\\[1\\]*")]
    [InlineData("back\\slash*", "exg:ex_esdb_health:back\\\\slash*")]
    public void Patterns_escape_redis_glob_characters_but_star(string pattern, string expected)
    {
        Assert.Equal(expected, RedisBackplane.ChannelPattern("exg:", GaterInstance.Health, pattern));
    }

    [Fact]
    public void Channels_are_prefix_instance_topic()
    {
        Assert.Equal("exg:ex_esdb_health:cluster:health", RedisBackplane.ChannelName("exg:", GaterInstance.Health, "cluster:health"));
    }

    [Fact]
    public async Task A_literal_question_mark_in_a_pattern_is_not_a_wildcard()
    {
        await using var a = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = _redis.ConnectionString, Prefix = "q:" });
        await using var b = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = _redis.ConnectionString, Prefix = "q:" });
        var got = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var sub = await b.SubscribeAsync(GaterInstance.Health, "a?*", (_, t, _) => got.Add(t));
        await a.PublishAsync(GaterInstance.Health, "ab:x", "x"u8.ToArray());
        await a.PublishAsync(GaterInstance.Health, "a?:x", "y"u8.ToArray());
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (got.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        await Task.Delay(100);
        Assert.Equal(["a?:x"], got);
    }

    [Fact]
    public async Task Clusters_under_different_prefixes_do_not_see_each_other()
    {
        await using var a = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = _redis.ConnectionString, Prefix = "one:" });
        await using var b = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = _redis.ConnectionString, Prefix = "two:" });
        var got = 0;
        await using var sub = await b.SubscribeAsync(GaterInstance.Health, "*", (_, _, _) => Interlocked.Increment(ref got));
        await a.PublishAsync(GaterInstance.Health, "cluster:health", "x"u8.ToArray());
        await Task.Delay(300);
        Assert.Equal(0, Volatile.Read(ref got));
    }

    [Fact]
    public async Task An_unreachable_server_is_one_clear_error()
    {
        var ex = await Assert.ThrowsAsync<GaterBackplaneException>(() => RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = "127.0.0.1:1", ConnectTimeout = TimeSpan.FromSeconds(1) }));
        Assert.Contains("unreachable", ex.Message, StringComparison.Ordinal);
    }
}

using ExEsdbGater.Redis;

namespace ExEsdbGater.Redis.Tests;

/// <summary>Redis backplane defaults pinned, and bad options refused before any connection attempt, by name.</summary>
public sealed class RedisOptionsTests
{
    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var o = new RedisBackplaneOptions { ConnectionString = "x" };
        Assert.Equal("exg:", o.Prefix);
        Assert.Equal(TimeSpan.FromSeconds(5), o.ConnectTimeout);
        Assert.True(o.BatchFrames);
        Assert.Equal(64L * 1024 * 1024, o.ReceiveBacklogMaxBytes);
        Assert.Null(o.LoggerFactory);
    }

    [Fact]
    public async Task An_unreachable_server_is_one_plain_message_without_the_clients_abortConnect_advice()
    {
        var ex = await Assert.ThrowsAsync<ExEsdbGater.Backplanes.GaterBackplaneException>(() => RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = "127.0.0.1:1", ConnectTimeout = TimeSpan.FromSeconds(1) }));
        Assert.StartsWith("Redis is unreachable at 127.0.0.1:1: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abortConnect", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AbortOnConnectFail", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("", null, 5, "RedisBackplaneOptions.ConnectionString")]
    [InlineData("  ", null, 5, "RedisBackplaneOptions.ConnectionString")]
    [InlineData("127.0.0.1:1", "null", 5, "RedisBackplaneOptions.Prefix")]
    [InlineData("127.0.0.1:1", null, 0, "RedisBackplaneOptions.ConnectTimeout")]
    [InlineData("127.0.0.1:1", null, -3, "RedisBackplaneOptions.ConnectTimeout")]
    public async Task A_bad_option_fails_at_once_naming_it(string conn, string? prefix, int timeoutSeconds, string name)
    {
        var o = new RedisBackplaneOptions { ConnectionString = conn, ConnectTimeout = TimeSpan.FromSeconds(timeoutSeconds) };
        if (prefix == "null")
        {
            o = o with { Prefix = null! };
        }
        var ex = await Assert.ThrowsAsync<GaterConfigurationException>(() => RedisBackplane.ConnectAsync(o));
        Assert.StartsWith(name + " must", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1024 * 1024 - 1)]
    public async Task A_receive_backlog_below_one_largest_frame_is_refused(long bytes)
    {
        var o = new RedisBackplaneOptions { ConnectionString = "127.0.0.1:1", ReceiveBacklogMaxBytes = bytes };
        var ex = await Assert.ThrowsAsync<GaterConfigurationException>(() => RedisBackplane.ConnectAsync(o));
        Assert.StartsWith("RedisBackplaneOptions.ReceiveBacklogMaxBytes must be at least 1 MiB", ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>Replay store defaults pinned, and bad options refused before any connection attempt, by name.</summary>
public sealed class RedisReplayStoreOptionsTests
{
    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var o = new RedisReplayStoreOptions { ConnectionString = "x", Scope = "r@h" };
        Assert.Equal("exg:", o.Prefix);
        Assert.Equal(TimeSpan.FromSeconds(1), o.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), o.ConnectTimeout);
    }

    [Theory]
    [InlineData("", "r@h", 1, "RedisReplayStoreOptions.ConnectionString")]
    [InlineData("127.0.0.1:1", "", 1, "RedisReplayStoreOptions.Scope")]
    [InlineData("127.0.0.1:1", "a:b", 1, "RedisReplayStoreOptions.Scope")]
    [InlineData("127.0.0.1:1", "a b", 1, "RedisReplayStoreOptions.Scope")]
    [InlineData("127.0.0.1:1", "r@h", 0, "RedisReplayStoreOptions.Timeout")]
    public async Task A_bad_option_fails_at_once_naming_it(string conn, string scope, int timeoutSeconds, string name)
    {
        var o = new RedisReplayStoreOptions { ConnectionString = conn, Scope = scope, Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        var ex = await Assert.ThrowsAsync<GaterConfigurationException>(() => RedisReplayStore.ConnectAsync(o));
        Assert.StartsWith(name + " must", ex.Message, StringComparison.Ordinal);
    }
}

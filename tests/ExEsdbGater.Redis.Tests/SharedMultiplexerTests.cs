using ExEsdbGater.Testing;
using StackExchange.Redis;

namespace ExEsdbGater.Redis.Tests;

/// <summary>The raw backplane contract over multiplexers the application owns (RedisBackplane.Create).</summary>
public sealed class RedisSharedMultiplexerContractTests : BackplaneContractTests, IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;
    private readonly string _prefix = "m" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly List<ConnectionMultiplexer> _muxes = [];

    public RedisSharedMultiplexerContractTests(RedisServer redis) => _redis = redis;

    protected override async ValueTask<IGaterBackplane> ConnectAsync()
    {
        var config = ConfigurationOptions.Parse(_redis.ConnectionString);
        config.BacklogPolicy = BacklogPolicy.FailFast; // as the backplane's docs advise for a shared multiplexer
        var mux = await ConnectionMultiplexer.ConnectAsync(config);
        _muxes.Add(mux);
        // the subscription connection comes up a moment after the interactive one; an application hands its
        // multiplexer over once it is in use, so wait for that here as RedisBackplane.ConnectAsync does itself
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await mux.GetSubscriber().PingAsync();
                break;
            }
            // what a command on a connection still coming up fails with (as RedisBackplane.ConnectAsync treats it)
            catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
        return RedisBackplane.Create(mux, _prefix);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var mux in _muxes)
        {
            await mux.DisposeAsync();
        }
    }
}

/// <summary>What the caller's multiplexer and cancellation token are promised.</summary>
public sealed class RedisConnectionOwnershipTests : IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;

    public RedisConnectionOwnershipTests(RedisServer redis) => _redis = redis;

    [Fact]
    public async Task Disposing_a_backplane_over_the_callers_multiplexer_leaves_it_open_and_unsubscribed()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var backplane = RedisBackplane.Create(mux, "own:");
        var got = 0;
        await backplane.SubscribeAsync(GaterInstance.Health, "*", (_, _, _) => Interlocked.Increment(ref got));
        var server = mux.GetServer(_redis.ConnectionString);
        Assert.Equal(1L, (long)await server.ExecuteAsync("PUBSUB", "NUMPAT"));

        await backplane.DisposeAsync();

        Assert.True(mux.IsConnected);
        Assert.Equal("PONG", (await server.ExecuteAsync("PING")).ToString());
        Assert.Equal(0L, (long)await server.ExecuteAsync("PUBSUB", "NUMPAT"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await backplane.PublishAsync(GaterInstance.Health, "x", new byte[] { 1 }));
    }

    [Fact]
    public async Task A_cancelled_connect_throws_and_leaves_nothing_open()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = _redis.ConnectionString }, cts.Token));
        await using var probe = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var clients = (await probe.GetServer(_redis.ConnectionString).ExecuteAsync("CLIENT", "LIST")).ToString();
        Assert.DoesNotContain("name=exesdbgater", clients, StringComparison.Ordinal);
    }
}

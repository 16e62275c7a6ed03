using Xunit.Abstractions;

namespace ExEsdbGater.Redis.Tests;

/// <summary>A Sentinel-managed primary killed mid-stream: the replica is promoted and the backplane follows it.</summary>
public sealed class RedisSentinelTests(RedisSentinelSet sentinel, ITestOutputHelper output) : IClassFixture<RedisSentinelSet>
{
    [Fact]
    public async Task Killing_the_primary_fails_over_and_loses_only_what_the_gaps_report()
    {
        Assert.Equal(sentinel.Primary.Port, await sentinel.PrimaryPortAsync());
        await FailoverScenario.RunAsync(sentinel.ConnectionString, async _ =>
        {
            sentinel.Primary.Kill();
            // the stream goes on through the promotion: what counts as "after" is after the sentinel switched
            await RedisProcess.UntilAsync(async () => await sentinel.PrimaryPortAsync() == sentinel.Replica.Port, TimeSpan.FromSeconds(60), "the sentinel to promote the replica");
        }, output);
        Assert.Equal(sentinel.Replica.Port, await sentinel.PrimaryPortAsync());
    }
}

using System.Globalization;
using ExEsdbGater.Testing;
using Xunit.Abstractions;

namespace ExEsdbGater.Redis.Tests;

/// <summary>One cluster (three masters, one replica each) for every cluster test class, which then run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisCluster>
{
    public const string Name = "redis-cluster";
}

/// <summary>The raw backplane contract over a Redis Cluster: classic PUBLISH reaches subscribers on every shard.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterBackplaneContractTests(RedisCluster cluster) : BackplaneContractTests
{
    private readonly string _prefix = "c" + Guid.NewGuid().ToString("N")[..8] + ":";

    protected override async ValueTask<IGaterBackplane> ConnectAsync()
        => await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = cluster.ConnectionString, Prefix = _prefix });
}

/// <summary>The bus over a Redis Cluster.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterBusContractTests(RedisCluster cluster) : BusOverBackplaneContractTests
{
    private readonly string _prefix = "c" + Guid.NewGuid().ToString("N")[..8] + ":";

    protected override async ValueTask<IGaterBackplane> ConnectAsync()
        => await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = cluster.ConnectionString, Prefix = _prefix });
}

/// <summary>Frame batches on a cluster: a burst travels in few PUBLISHes through one node, whole and in order.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterFrameBatchTests(RedisCluster cluster)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public Task A_burst_arrives_whole_in_order_and_travels_in_fewer_redis_messages_only_when_batching(bool batch)
        => FrameBatchTests.BurstAsync(cluster.ConnectionString, batch);
}

/// <summary>A master killed mid-stream: its replica is promoted, the subscription comes back, gaps equal the loss.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterFailoverTests(RedisCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_master_that_holds_the_subscription_loses_only_what_the_gaps_report()
    {
        RedisProcess? killed = null;
        try
        {
            await FailoverScenario.RunAsync(cluster.ConnectionString, async prefix =>
            {
                // the node the receiver's pattern subscription lives on, if a master; else the master of the channel's slot
                var holder = await NodeWithPatternSubscriptionAsync();
                var masters = (await cluster.ClusterNodesAsync()).Where(n => n.Master && !n.Failed).Select(n => n.Port).ToHashSet();
                killed = holder is { } h && masters.Contains(h.Port) ? h : await cluster.MasterOfAsync(prefix + "ex_esdb_health:failover:t");
                output.WriteLine($"subscription on {holder?.Port}; masters {string.Join(",", masters)}; killing {killed.Port}");
                killed.Kill();
            }, output);
        }
        finally
        {
            if (killed is not null)
            {
                await cluster.RestartAsync(killed);
            }
        }
    }

    private async Task<RedisProcess?> NodeWithPatternSubscriptionAsync()
    {
        foreach (var n in cluster.Nodes.Where(n => n.Running))
        {
            if (int.Parse((await RedisProcess.CliAsync(n.Port, "pubsub", "numpat")).Trim(), CultureInfo.InvariantCulture) > 0)
            {
                return n;
            }
        }
        return null;
    }
}

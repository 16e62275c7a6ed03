using System.Collections.Concurrent;
using ExEsdbGater;
using ExEsdbGater.Messages;

namespace ExEsdbGater.Tests.Bus;

/// <summary>The README's example, run as written (with a key given in code instead of the environment).</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task Subscribe_to_cluster_health_and_broadcast_a_node_health()
    {
        var lines = new ConcurrentQueue<string>();
        await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = "gater1@host-a", Keys = KeyRing.Of(GaterKey.FromSecret("readme-secret-0123456789-abcdefghijklmnopqrstuvwxyz")) });
        await using var sub = await bus.SubscribeAsync<NodeHealth>(HealthBroadcasts.ClusterHealthTopic(),
            (health, envelope) => lines.Enqueue($"{health.Node} is {health.Status} (from {envelope.Node}, seq {envelope.Seq})"));
        var health = HealthMessages.NodeHealth(bus.Node, NodeHealthStatus.Healthy, loadAvg: 0.42, memoryUsage: 63.5);
        await bus.BroadcastClusterHealthUpdateAsync(health);
        await bus.BroadcastAsync("cluster:health", health);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (lines.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        Assert.Equal(["gater1@host-a is Healthy (from gater1@host-a, seq 1)", "gater1@host-a is Healthy (from gater1@host-a, seq 2)"], lines);
    }
}

using System.Collections.Concurrent;
using System.Globalization;

namespace ExEsdbGater.Redis.Tests.Durable;

/// <summary>Durable streams on a Redis Cluster (three masters, one replica each): every key of an instance in one slot.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class DurableClusterTests(RedisCluster cluster)
{
    [Fact]
    public async Task Groups_and_history_work_across_a_cluster_for_every_durable_instance()
    {
        var prefix = "dc" + Guid.NewGuid().ToString("N")[..6] + ":";
        await using var a = await DurableNode.StartAsync(cluster.ConnectionString, prefix, "svc@a");
        await using var b = await DurableNode.StartAsync(cluster.ConnectionString, prefix, "svc@b");
        var handled = new ConcurrentQueue<Delivery>();
        await b.Bus.SubscribeAsync(GaterInstance.Audit, "*", handled.Enqueue);
        var alerts = new ConcurrentQueue<Delivery>();
        await b.Bus.SubscribeAsync(GaterInstance.Alerts, "*", alerts.Enqueue);

        var receipts = new List<PublishReceipt>();
        for (var i = 0; i < 100; i++)
        {
            receipts.Add(await a.Bus.BroadcastAsync("admin:" + i.ToString(CultureInfo.InvariantCulture), DurableNode.Audit(i)));
        }
        var alert = AlertMessages.SystemAlert(AlertSeverity.Critical, AlertCategory.System, "disk full", "disk 97% on svc@a", "svc@a");
        var alertReceipt = await a.Bus.BroadcastAsync("cluster:alerts", alert);

        await DurableNode.Until(() => handled.Count == 100 && alerts.Count == 1, "every entry on the cluster");
        Assert.Equal(Enumerable.Range(0, 100), handled.Select(DurableNode.Number).Order());
        Assert.Equal(receipts.Select(r => r.StreamEntryId), handled.OrderBy(DurableNode.Number).Select(d => d.StreamEntryId));
        Assert.Equal(alertReceipt.StreamEntryId, Assert.Single(alerts).StreamEntryId);

        // history from the beginning, from another process's view
        await using var reviewer = await DurableNode.StartAsync(cluster.ConnectionString, prefix, "review@c");
        await using var history = await reviewer.Bus.OpenStreamAsync(GaterInstance.Audit, "*", new SubscriptionOptions { From = StreamPosition.Beginning, Until = StreamPosition.AtEntry(receipts[^1].StreamEntryId!) });
        var read = new List<int>();
        await foreach (var d in history.ReadAllAsync())
        {
            read.Add(DurableNode.Number(d));
        }
        Assert.Equal(Enumerable.Range(0, 100), read);
        Assert.Empty(a.Rejected.Concat(b.Rejected).Concat(reviewer.Rejected));
    }
}

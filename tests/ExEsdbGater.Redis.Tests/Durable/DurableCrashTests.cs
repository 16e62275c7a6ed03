using System.Collections.Concurrent;
using System.Globalization;

namespace ExEsdbGater.Redis.Tests.Durable;

/// <summary>
/// Consumers killed with SIGKILL mid-stream, and a Redis with AOF restarted mid-stream: every entry a broadcast
/// returned for is handled; duplicates happen only for entries handled but not yet acknowledged when the consumer
/// died, and are counted exactly against what Redis had pending for it.
/// </summary>
public sealed class DurableCrashTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const int Total = 400;
    private readonly string _prefix = "k" + Guid.NewGuid().ToString("N")[..8] + ":";

    private string Stream => RedisDurableTransport.StreamKey(_prefix, GaterInstance.Audit);

    private async Task<HashSet<string>> PendingOfAsync(string group, string consumer)
    {
        var text = await RedisProcess.CliAsync(redis.Port, "XPENDING", Stream, group, "-", "+", "100000", consumer);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d+-\d+$")).ToHashSet();
    }

    private async Task<List<string>> PublishAsync(DurableNode pub, int from, int to)
    {
        var ids = new List<string>();
        for (var i = from; i < to; i++)
        {
            ids.Add((await pub.Bus.BroadcastAsync("admin:x", DurableNode.Audit(i))).StreamEntryId!);
        }
        return ids;
    }

    [Fact]
    public async Task A_consumer_killed_mid_stream_restarts_and_gets_every_entry_it_left_pending()
    {
        await using var pub = await DurableNode.StartAsync(redis.ConnectionString, _prefix, "pub@a");
        using var first = ConsumerProcess.Start(redis.ConnectionString, _prefix, "worker@a", 5);
        await DurableNode.Until(() => first.Ready, () => "the consumer to start: " + first.Errors, 60);
        await PublishAsync(pub, 0, Total / 2);
        await DurableNode.Until(() => first.Done.Count >= 60, "handling to be under way");
        first.Kill();
        var doneBefore = first.Done;
        var pending = await PendingOfAsync("worker", "worker@a");
        await PublishAsync(pub, Total / 2, Total);

        using var again = ConsumerProcess.Start(redis.ConnectionString, _prefix, "worker@a", 0);
        await DurableNode.Until(() => doneBefore.Select(d => d.N).Concat(again.Done.Select(d => d.N)).Distinct().Count() == Total, () => "every entry to be handled: " + again.Errors, 60);
        await Task.Delay(300);
        var doneAfter = again.Done;

        Assert.NotEmpty(pending);
        Assert.Equal(Enumerable.Range(0, Total), doneBefore.Select(d => d.N).Concat(doneAfter.Select(d => d.N)).Distinct().Order());
        // every entry left pending came back first, marked as a redelivery, and nothing else did
        Assert.Equal(pending.Order(), doneAfter.Where(d => d.Redelivered).Select(d => d.Id).Order());
        Assert.Equal(pending.Count, doneAfter.TakeWhile(d => d.Redelivered).Count());
        // duplicates at the handler: exactly the entries handled before the kill whose acknowledgement never reached Redis
        var duplicates = doneBefore.Select(d => d.Id).Intersect(doneAfter.Select(d => d.Id)).ToHashSet();
        Assert.Equal(doneBefore.Select(d => d.Id).Where(pending.Contains).ToHashSet(), duplicates);
        Assert.Equal(doneBefore.Count + doneAfter.Count - Total, duplicates.Count);
        Assert.Empty(await PendingOfAsync("worker", "worker@a"));
    }

    [Fact]
    public async Task Entries_left_pending_by_a_killed_consumer_are_claimed_by_another_of_its_group()
    {
        await using var pub = await DurableNode.StartAsync(redis.ConnectionString, _prefix, "pub@a");
        await using var peer = await DurableNode.StartAsync(redis.ConnectionString, _prefix, "worker@b");
        var handled = new ConcurrentQueue<Delivery>();
        var sub = (IGaterDurableSubscription)await peer.Bus.SubscribeAsync(GaterInstance.Audit, "*", async (d, ct) =>
        {
            handled.Enqueue(d);
            await Task.Delay(2, ct);
        }, new SubscriptionOptions { ClaimIdleTime = TimeSpan.FromSeconds(1), Capacity = 16 });
        using var doomed = ConsumerProcess.Start(redis.ConnectionString, _prefix, "worker@a", 5);
        await DurableNode.Until(() => doomed.Ready, () => "the consumer to start: " + doomed.Errors, 60);
        var publishing = PublishAsync(pub, 0, Total);
        await DurableNode.Until(() => doomed.Done.Count >= 40, "handling to be under way");
        doomed.Kill();
        var doneByDead = doomed.Done;
        var pending = await PendingOfAsync("worker", "worker@a");
        await publishing;

        await DurableNode.Until(() => doneByDead.Select(d => d.N).Concat(handled.Select(DurableNode.Number)).Distinct().Count() == Total, "every entry to be handled", 60);
        await Task.Delay(300);

        Assert.NotEmpty(pending);
        Assert.Equal(Enumerable.Range(0, Total), doneByDead.Select(d => d.N).Concat(handled.Select(DurableNode.Number)).Distinct().Order());
        Assert.Equal(pending.Order(), handled.Where(d => d.IsRedelivery).Select(d => d.StreamEntryId!).Order());
        Assert.Equal(pending.Count, sub.Redelivered);
        var duplicates = doneByDead.Select(d => d.Id).Intersect(handled.Select(d => d.StreamEntryId!)).ToHashSet();
        Assert.Equal(doneByDead.Select(d => d.Id).Where(pending.Contains).ToHashSet(), duplicates);
        Assert.Equal(doneByDead.Count + handled.Count - Total, duplicates.Count);
        Assert.Empty(await PendingOfAsync("worker", "worker@a"));
    }

    [Fact]
    public async Task Redis_with_appendfsync_always_restarted_mid_stream_loses_nothing_a_broadcast_returned_for()
    {
        var dir = Path.Combine(Path.GetTempPath(), "exg-aof-" + Guid.NewGuid().ToString("N")[..8]);
        var port = RedisProcess.FreePort();
        using var server = new RedisProcess(dir, port, "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--loglevel", "warning");
        try
        {
            await server.StartAsync();
            await using var pub = await DurableNode.StartAsync(server.Endpoint, _prefix, "pub@a");
            await using var consumer = await DurableNode.StartAsync(server.Endpoint, _prefix, "audit@b");
            var handled = new ConcurrentQueue<int>();
            await consumer.Bus.SubscribeAsync(GaterInstance.Audit, "*", d => handled.Enqueue(DurableNode.Number(d)));

            var acked = new List<int>();
            var failed = 0;
            Task? restart = null;
            for (var i = 0; i < Total; i++)
            {
                if (i == Total / 3)
                {
                    restart = Task.Run(async () =>
                    {
                        server.Kill();
                        await Task.Delay(300);
                        await server.StartAsync();
                    });
                }
                try
                {
                    await pub.Bus.BroadcastAsync("admin:x", DurableNode.Audit(i));
                    acked.Add(i);
                }
#pragma warning disable CA1031 // a broadcast that threw was not acknowledged: it may or may not be in the stream
                catch (Exception)
#pragma warning restore CA1031
                {
                    failed++;
                    await Task.Delay(20);
                }
            }
            await restart!;
            await DurableNode.Until(() => acked.All(handled.Contains), "every acknowledged entry after the restart", 60);
            Assert.True(failed > 0, "the restart happened while broadcasting");
            Assert.True(acked.Count > Total / 2);
            Assert.Subset(handled.ToHashSet(), acked.ToHashSet());
            Assert.Empty(consumer.Rejected);
        }
        finally
        {
            server.Kill();
            Directory.Delete(dir, recursive: true);
        }
    }
}

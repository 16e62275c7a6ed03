using System.Diagnostics;
using ExEsdbGater.Redis;
using StackExchange.Redis;

namespace Gater.Cli.Commands;

// Redis: raw StackExchange.Redis pub/sub of the same bytes, and signed, verified delivery between two buses.
internal sealed partial class BenchCommand
{
    private static async Task<double> RawRedisAsync(string conn, string prefix, byte[] frame, int count, CancellationToken ct)
    {
        await using var pub = await ConnectAsync(conn);
        await using var sub = await ConnectAsync(conn);
        var channel = RedisChannel.Literal(prefix + "raw");
        long received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = await sub.GetSubscriber().SubscribeAsync(channel);
        queue.OnMessage(m =>
        {
            if (Interlocked.Increment(ref received) == count)
            {
                done.TrySetResult();
            }
        });
        var sw = Stopwatch.StartNew();
        var p = pub.GetSubscriber();
        Task last = Task.CompletedTask;
        for (var i = 0; i < count; i++)
        {
            last = p.PublishAsync(channel, frame);
        }
        await last;
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        var rate = count / sw.Elapsed.TotalSeconds;
        await queue.UnsubscribeAsync();
        return rate;
    }

    private static async Task<double> RedisEndToEndAsync(string conn, string prefix, KeyRing ring, NodeHealth message, int count, CancellationToken ct)
    {
        await using var bpA = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = conn, Prefix = prefix });
        await using var bpB = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = conn, Prefix = prefix });
        await using var a = GaterBus.Create(new GaterBusOptions { NodeName = "a@bench", Keys = ring, Backplane = bpA });
        await using var b = GaterBus.Create(new GaterBusOptions { NodeName = "b@bench", Keys = ring, Backplane = bpB, Verifier = new VerifierOptions { ReplayCapacity = count + 10 } });
        long received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", (_, _) =>
        {
            if (Interlocked.Increment(ref received) == count)
            {
                done.TrySetResult();
            }
            return ValueTask.CompletedTask;
        }, new SubscriptionOptions { Capacity = 65_536 }, ct);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await a.BroadcastAsync("cluster:health", message, ct);
        }
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        return count / sw.Elapsed.TotalSeconds;
    }


    private static async Task<ConnectionMultiplexer> ConnectAsync(string conn)
    {
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(conn);
        }
        catch (RedisConnectionException ex)
        {
            throw new GaterBackplaneException($"Redis is unreachable at {conn}: {ex.Message.Split('\n')[0]}", ex);
        }
    }
}

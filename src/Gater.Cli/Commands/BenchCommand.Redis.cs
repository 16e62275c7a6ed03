using System.Diagnostics;
using System.Globalization;
using ExEsdbGater.Redis;
using StackExchange.Redis;

namespace Gater.Cli.Commands;

// Redis: raw StackExchange.Redis pub/sub of the same frame bytes, and signed, verified delivery between two buses.
// Both run on multiplexers made the same way, warm up until their rate stops improving (tiered JIT), and are then
// measured in alternating rounds, so that load from elsewhere on the machine falls on both alike.
internal sealed partial class BenchCommand
{
    private const int RedisRound = 10_000;

    /// <summary>CPU microseconds per message: this process's publishing, redis-server, this process's receiving.</summary>
    internal readonly record struct RedisCpu(double Publisher, double RedisServer, double Subscriber);

    /// <summary>Both Redis measurements: rates in messages per second and CPU per message.</summary>
    internal sealed record RedisResult(double RawPerSecond, double OursPerSecond, RedisCpu Raw, RedisCpu Ours, int Messages, long Rejected, long Gaps);

    private static async Task<RedisResult> RedisAsync(string conn, string prefix, KeyRing ring, byte[] frame, NodeHealth message, int messages, CancellationToken ct)
    {
        // INFO is an admin command to StackExchange.Redis
        await using var control = await ConnectionMultiplexer.ConnectAsync(ConfigurationOptions.Parse(conn + ",allowAdmin=true"));
        var server = control.GetServers()[0];
        var rounds = Math.Max(2, messages / RedisRound);

        // Publish-only rounds publish the same bytes under a prefix of the same length that nobody subscribes to,
        // between the full rounds, so that the publisher's share of the CPU is measured under the same load.
        var nobody = "x" + prefix[1..];

        // raw: one multiplexer publishes, another subscribes, as the two buses do
        await using var rawPub = await ConnectAsync(conn);
        await using var rawSub = await ConnectAsync(conn);
        var rawChannel = RedisChannel.Literal(prefix + "raw");
        var rawNobody = RedisChannel.Literal(nobody + "raw");
        var rawCounter = new RoundCounter();
        var rawQueue = await rawSub.GetSubscriber().SubscribeAsync(rawChannel);
        rawQueue.OnMessage(_ => rawCounter.Arrived());
        var rawPublisher = rawPub.GetSubscriber();
        Task RawRound(int n) => RawPublishAsync(rawChannel, n);
        async Task RawPublishAsync(RedisChannel channel, int n)
        {
            Task last = Task.CompletedTask;
            for (var i = 0; i < n; i++)
            {
                last = rawPublisher.PublishAsync(channel, frame);
            }
            await last;
        }

        // ours: two buses, each on its own multiplexer, signing every frame and verifying every arrival
        await using var oursPub = await ConnectAsync(conn);
        await using var oursSub = await ConnectAsync(conn);
        await using var bpA = RedisBackplane.Create(oursPub, prefix);
        await using var bpB = RedisBackplane.Create(oursSub, prefix);
        await using var bpNobody = RedisBackplane.Create(oursPub, nobody);
        await using var a = GaterBus.Create(new GaterBusOptions { NodeName = "a@bench", Keys = ring, Backplane = bpA });
        // the receiving bus with a receive worker per core: a frame batch of its one channel is verified on all of them
        await using var b = GaterBus.Create(new GaterBusOptions { NodeName = "b@bench", Keys = ring, Backplane = bpB, ReceiveWorkers = Environment.ProcessorCount });
        await using var aNobody = GaterBus.Create(new GaterBusOptions { NodeName = "a@bench", Keys = ring, Backplane = bpNobody });
        var oursCounter = new RoundCounter();
        await b.SubscribeAsync(GaterInstance.Health, "cluster:health", (_, _) =>
        {
            oursCounter.Arrived();
            return ValueTask.CompletedTask;
        }, new SubscriptionOptions { Capacity = 65_536 }, ct);
        Task OursRound(int n) => OursPublishAsync(a, n);
        async Task OursPublishAsync(IGaterBus bus, int n)
        {
            for (var i = 0; i < n; i++)
            {
                await bus.BroadcastAsync("cluster:health", message, ct);
            }
        }
        // a round that nobody receives ends when the server has answered every publish: replies come in order
        async Task<TimeSpan> PublishOnlyAsync(Func<Task> publish, ConnectionMultiplexer mux)
        {
            var sw = Stopwatch.StartNew();
            await publish();
            await mux.GetSubscriber().PingAsync();
            return sw.Elapsed;
        }

        // warm-up, then the four kinds of round in turn; CPU of this process and of redis-server around each round
        await WarmUpAsync(() => rawCounter.RoundAsync(RawRound, RedisRound, ct));
        await WarmUpAsync(() => oursCounter.RoundAsync(OursRound, RedisRound, ct));
        var raw = new CpuTally();
        var ours = new CpuTally();
        var rawPublishOnly = new CpuTally();
        var oursPublishOnly = new CpuTally();
        for (var r = 0; r < rounds; r++)
        {
            await raw.MeasureAsync(server, () => rawCounter.RoundAsync(RawRound, RedisRound, ct));
            await ours.MeasureAsync(server, () => oursCounter.RoundAsync(OursRound, RedisRound, ct));
            await rawPublishOnly.MeasureAsync(server, () => PublishOnlyAsync(() => RawPublishAsync(rawNobody, RedisRound), rawPub));
            await oursPublishOnly.MeasureAsync(server, () => PublishOnlyAsync(() => OursPublishAsync(aNobody, RedisRound), oursPub));
        }
        var stats = b.Statistics;
        await rawQueue.UnsubscribeAsync();
        var total = rounds * RedisRound;
        return new RedisResult(total / raw.Elapsed.TotalSeconds, total / ours.Elapsed.TotalSeconds,
            raw.PerMessage(rawPublishOnly, total), ours.PerMessage(oursPublishOnly, total), total, stats.Rejected, stats.Gaps);
    }

    private void PrintRedis(RedisResult r, double signUs, double verifyUs)
    {
        Stdout.WriteLine($"{"redis end-to-end / raw",-20} {r.OursPerSecond / r.RawPerSecond,14:0.00}x   (throughput; {r.Messages:N0} messages each, alternating rounds after warm-up; rejected {r.Rejected}, gaps {r.Gaps})");
        Stdout.WriteLine("redis CPU µs per message   publisher  redis-server  subscriber   total");
        foreach (var (name, c) in new[] { ("raw", r.Raw), ("ours", r.Ours) })
        {
            Stdout.WriteLine($"  {name,-24} {c.Publisher,9:0.00} {c.RedisServer,13:0.00} {c.Subscriber,11:0.00} {c.Publisher + c.RedisServer + c.Subscriber,7:0.00}");
        }
        Stdout.WriteLine($"  ours − raw                {r.Ours.Publisher - r.Raw.Publisher,9:+0.00;-0.00} {r.Ours.RedisServer - r.Raw.RedisServer,13:+0.00;-0.00} {r.Ours.Subscriber - r.Raw.Subscriber,11:+0.00;-0.00}   (one sign {signUs:0.00}, one verify {verifyUs:0.00} on one thread)");
        Stdout.WriteLine("  (CPU of this process and of redis-server (INFO cpu) around each round; publisher = publish-only rounds of the");
        Stdout.WriteLine("   same bytes that nobody subscribes to, run between the others; subscriber = the full rounds' process CPU minus that;");
        Stdout.WriteLine("   thread-pool spinning on idle cores inflates publisher: DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 for a clean split)");
    }

    private static void WriteRedisCpu(System.Text.Json.Utf8JsonWriter w, RedisCpu raw, RedisCpu ours)
    {
        w.WriteStartObject("redis_cpu_us_per_msg");
        foreach (var (name, c) in new[] { ("raw", raw), ("ours", ours) })
        {
            w.WriteStartObject(name);
            w.WriteNumber("publisher", Math.Round(c.Publisher, 2));
            w.WriteNumber("redis_server", Math.Round(c.RedisServer, 2));
            w.WriteNumber("subscriber", Math.Round(c.Subscriber, 2));
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    // Rounds until the rate stops improving (WarmUp), with a little longer at most: each round is 10,000 messages.
    private static async Task WarmUpAsync(Func<Task<TimeSpan>> round)
    {
        for (var warm = new WarmUp(TimeSpan.FromSeconds(5)); warm.Going;)
        {
            warm.Add(1 / (await round()).TotalSeconds);
        }
    }

    /// <summary>Counts arrivals; a round publishes n messages and ends when the n-th has arrived.</summary>
    private sealed class RoundCounter
    {
        private long _received;
        private long _target = long.MaxValue;
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Arrived()
        {
            if (Interlocked.Increment(ref _received) == Volatile.Read(ref _target))
            {
                _done.TrySetResult();
            }
        }

        public async Task<TimeSpan> RoundAsync(Func<int, Task> publish, int n, CancellationToken ct)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _target, Interlocked.Read(ref _received) + n);
            var sw = Stopwatch.StartNew();
            await publish(n);
            try
            {
                await _done.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException($"Redis bench: {Volatile.Read(ref _target) - Interlocked.Read(ref _received)} of {n} messages did not arrive within 60 s");
            }
            return sw.Elapsed;
        }
    }

    /// <summary>Wall time and CPU (this process; redis-server from INFO cpu) summed over measured rounds.</summary>
    private sealed class CpuTally
    {
        public TimeSpan Elapsed { get; private set; }
        public TimeSpan Process { get; private set; }
        public TimeSpan Redis { get; private set; }

        public async Task MeasureAsync(IServer server, Func<Task<TimeSpan>> round)
        {
            var redis0 = await RedisCpuAsync(server);
            var cpu0 = Environment.CpuUsage.TotalTime;
            Elapsed += await round();
            Process += Environment.CpuUsage.TotalTime - cpu0;
            Redis += await RedisCpuAsync(server) - redis0;
        }

        /// <summary>Subscriber = the full pass's process CPU minus the publish-only pass's.</summary>
        public RedisCpu PerMessage(CpuTally publishOnly, int messages)
        {
            double Us(TimeSpan t) => t.TotalMicroseconds / messages;
            return new RedisCpu(Us(publishOnly.Process), Us(Redis), Math.Max(0, Us(Process - publishOnly.Process)));
        }
    }

    /// <summary>redis-server's CPU so far: used_cpu_user + used_cpu_sys of INFO cpu (all its threads).</summary>
    private static async Task<TimeSpan> RedisCpuAsync(IServer server)
    {
        var seconds = 0.0;
        foreach (var group in await server.InfoAsync("cpu"))
        {
            foreach (var (key, value) in group)
            {
                if (key is "used_cpu_user" or "used_cpu_sys")
                {
                    seconds += double.Parse(value, CultureInfo.InvariantCulture);
                }
            }
        }
        return TimeSpan.FromSeconds(seconds);
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

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ExEsdbGater.Redis;
using StackExchange.Redis;

namespace ExEsdbGater.Benchmarks;

/// <summary>
/// Durable end-to-end: a broadcast appended to the audit stream, read by a group consumer, verified, handled and
/// acknowledged (2,000 per operation, one publisher awaiting each append), against raw StackExchange.Redis doing the
/// same with the same frame bytes: XADD awaited per entry, and a consumer looping XREADGROUP COUNT 256 + XACK without
/// waiting (no notification, no verification). Needs redis-server on PATH (started here on a free port).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class DurableBenchmarks
{
    private const int N = 2000;
    private Process _server = null!;
    private string _endpoint = null!;
    private IGaterDurableTransport _transport = null!;
    private IGaterBus _pub = null!;
    private IGaterBus _sub = null!;
    private ConnectionMultiplexer _raw = null!;
    private byte[] _frame = null!;
    private int _handled;
    private TaskCompletionSource _all = new();
    private AdminAction _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }
        var p = port.ToString(CultureInfo.InvariantCulture);
        _endpoint = "127.0.0.1:" + p;
        _server = Process.Start(new ProcessStartInfo("redis-server", ["--port", p, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true })!;
        Thread.Sleep(300);
        var ring = KeyRing.Of(GaterKey.FromSecret("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"));
        _transport = RedisDurableTransport.ConnectAsync(new RedisDurableOptions { ConnectionString = _endpoint, MaxLength = 100_000 }).GetAwaiter().GetResult();
        _pub = GaterBus.Create(new GaterBusOptions { NodeName = "pub@bench", Keys = ring, DurableTransport = _transport });
        _sub = GaterBus.Create(new GaterBusOptions { NodeName = "sub@bench", Keys = ring, DurableTransport = _transport });
        _message = AuditMessages.AdminAction("admin-1", AdminActionType.ConfigUpdated, "cluster/config", messageContext: new MessageContext("pub@bench"));
        _sub.SubscribeAsync(GaterInstance.Audit, "*", (_, _) =>
        {
            if (Interlocked.Increment(ref _handled) == N)
            {
                _all.TrySetResult();
            }
            return ValueTask.CompletedTask;
        }).AsTask().GetAwaiter().GetResult();
        _frame = FrameEncoder.Encode(ring, new Envelope(GaterInstance.Audit, "admin:x", _message.Tag, "m1", "pub@bench", 1, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), _message);
        _raw = ConnectionMultiplexer.Connect(_endpoint);
        _raw.GetDatabase().Execute("XGROUP", "CREATE", "raw", "g", "$", "MKSTREAM");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pub.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sub.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _transport.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _raw.Dispose();
        _server.Kill();
        _server.WaitForExit();
        _server.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public async Task RawXaddXreadgroupXack()
    {
        var db = _raw.GetDatabase();
        var consumer = Task.Run(async () =>
        {
            var got = 0;
            while (got < N)
            {
                var entries = await db.StreamReadGroupAsync("raw", "g", "c", ">", 256);
                if (entries.Length == 0)
                {
                    continue;
                }
                got += entries.Length;
                await db.StreamAcknowledgeAsync("raw", "g", entries.Select(e => e.Id).ToArray());
            }
        });
        for (var i = 0; i < N; i++)
        {
            await db.StreamAddAsync("raw", [new("t", "admin:x"), new("f", _frame)], maxLength: 100_000, useApproximateMaxLength: true);
        }
        await consumer;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public async Task DurableBroadcastVerifiedHandledAcked()
    {
        _handled = 0;
        _all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < N; i++)
        {
            await _pub.BroadcastAsync("admin:x", _message);
        }
        await _all.Task;
    }

    /// <summary>Publish → handler latency at a steady rate on a fresh stream (<c>-- durable-latency [rate] [seconds]</c>).</summary>
    public static async Task LatencyAsync(int rate, int seconds)
    {
        var b = new DurableBenchmarks();
        b.Setup();
        try
        {
            var sent = new long[rate * seconds];
            var latencies = new List<double>(sent.Length);
            var done = new TaskCompletionSource();
            await using var sub = await b._sub.SubscribeAsync(GaterInstance.Audit, "lat:*", (d, _) =>
            {
                var i = int.Parse(d.Envelope!.Topic[4..], CultureInfo.InvariantCulture);
                lock (latencies)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sent[i]).TotalMilliseconds);
                    if (latencies.Count == sent.Length)
                    {
                        done.TrySetResult();
                    }
                }
                return ValueTask.CompletedTask;
            }, new SubscriptionOptions { Group = "latency" });
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < sent.Length; i++)
            {
                var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
                while (Stopwatch.GetTimestamp() < due)
                {
                    await Task.Delay(TimeSpan.FromTicks(Math.Max(0, (due - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
                }
                sent[i] = Stopwatch.GetTimestamp();
                await b._pub.BroadcastAsync("lat:" + i.ToString(CultureInfo.InvariantCulture), b._message);
            }
            await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
            latencies.Sort();
            double P(double q) => latencies[(int)Math.Min(latencies.Count - 1, q * latencies.Count)];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"durable publish->handler at {rate}/s for {seconds}s ({latencies.Count} msgs): p50 {P(0.5):F3} ms, p99 {P(0.99):F3} ms, max {latencies[^1]:F3} ms"));
        }
        finally
        {
            b.Cleanup();
        }
    }
}

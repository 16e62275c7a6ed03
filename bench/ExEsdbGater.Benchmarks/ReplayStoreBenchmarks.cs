using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using ExEsdbGater.Redis;

namespace ExEsdbGater.Benchmarks;

/// <summary>
/// The cost of the Redis replay store per message: the same verify with the in-memory replay memory alone
/// (baseline) and with a <see cref="RedisReplayStore"/> on a local redis-server this benchmark starts (needs
/// redis-server on PATH). Each verify with the store makes one SET NX PX round trip; a frame seen again costs the same
/// round trip (the reply is "already there"), so 4096 frames measure the accepting path's cost.
/// </summary>
[MemoryDiagnoser]
public class ReplayStoreBenchmarks
{
    private byte[][] _frames = null!;
    private FrameVerifier _memory = null!;
    private FrameVerifier _redis = null!;
    private RedisReplayStore _store = null!;
    private Process _server = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var ring = KeyRing.Of(GaterKey.FromSecret("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"));
        var message = HealthMessages.NodeHealth("gater1@bench-host", NodeHealthStatus.Healthy, checks: JsonMap.Of(("disk", "ok"), ("raft", "ok")), loadAvg: 0.42, memoryUsage: 63.5, diskUsage: 71.2, messageContext: new MessageContext("gater1@bench-host"));
        var envelope = new Envelope(GaterInstance.Health, "cluster:health", message.Tag, "m", "gater1@bench-host", 1_795_751_000_000, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _frames = Enumerable.Range(0, 4096).Select(i => FrameEncoder.Encode(ring, envelope with { Id = ElixirCompat.GenerateMessageId() }, message)).ToArray();
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }
        var p = port.ToString(CultureInfo.InvariantCulture);
        _server = Process.Start(new ProcessStartInfo("redis-server", ["--port", p, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true })!;
        for (var i = 0; ; i++)
        {
            try
            {
                _store = RedisReplayStore.ConnectAsync(new RedisReplayStoreOptions { ConnectionString = "127.0.0.1:" + p, Scope = "bench@host" }).GetAwaiter().GetResult();
                break;
            }
            catch (GaterBackplaneException) when (i < 50)
            {
                Thread.Sleep(100);
            }
        }
        // a replay memory of one entry: each frame is forgotten before it comes round again, so every call takes the full path
        _memory = new FrameVerifier(ring, new VerifierOptions { ReplayCapacity = 1 });
        _redis = new FrameVerifier(ring, new VerifierOptions { ReplayCapacity = 1, ReplayStore = _store });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.Kill();
        _server.WaitForExit();
        _server.Dispose();
    }

    [Benchmark(Baseline = true)]
    public bool VerifyInMemory() => _memory.Verify(_frames[_next++ & 4095], GaterInstance.Health, "cluster:health").Envelope is not null;

    [Benchmark]
    public bool VerifyWithRedisStore() => _redis.Verify(_frames[_next++ & 4095], GaterInstance.Health, "cluster:health").Envelope is not null;
}

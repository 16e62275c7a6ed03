using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using ExEsdbGater;
using Gater.Cli.Commands;

namespace ExEsdbGater.Benchmarks;

/// <summary>
/// Signed broadcast from bus A through the in-process backplane to bus B, verified once there and delivered to
/// N subscribers; per operation = one broadcast. Raw HMAC of the same frame is the baseline.
/// </summary>
[MemoryDiagnoser]
public class FanoutBenchmarks
{
    private const int Batch = 1000;
    private IGaterBus _a = null!;
    private IGaterBus _b = null!;
    private NodeHealth _message = null!;
    private FanoutCounters _counts = null!;
    private byte[] _key = null!;
    private byte[] _signedInput = null!;
    private readonly byte[] _mac = new byte[32];

    [Params(1, 10, 1000)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var ring = KeyRing.Of(GaterKey.FromSecret("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"));
        var hub = new InProcessHub();
        _a = GaterBus.Create(new GaterBusOptions { NodeName = "a@bench", Keys = ring, Backplane = hub.Connect() });
        _b = GaterBus.Create(new GaterBusOptions { NodeName = "b@bench", Keys = ring, Backplane = hub.Connect(), Verifier = new VerifierOptions { ReplayCapacity = 10_000 } });
        _message = HealthMessages.NodeHealth("gater1@bench-host", NodeHealthStatus.Healthy, checks: JsonMap.Of(("disk", "ok")), loadAvg: 0.42, messageContext: new MessageContext("a@bench"));
        _counts = new FanoutCounters(Subscribers);
        for (var i = 0; i < Subscribers; i++)
        {
            _b.SubscribeAsync(GaterInstance.Health, "cluster:health", _counts.Handler(i), new SubscriptionOptions { Capacity = 4096 }).AsTask().GetAwaiter().GetResult();
        }
        var frame = FrameEncoder.Encode(ring, new Envelope(GaterInstance.Health, "cluster:health", _message.Tag, "x", "a@bench", 1, 1, 1), _message);
        var kidEnd = Array.IndexOf(frame, (byte)'.', 5);
        var bodyStart = Array.IndexOf(frame, (byte)'{');
        _signedInput = [.. frame.AsSpan(0, kidEnd + 1), .. frame.AsSpan(bodyStart)];
        _key = ring.SigningKey!.Key;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _b.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _counts.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public byte[] RawHmacSha256()
    {
        for (var i = 0; i < Batch; i++)
        {
            HMACSHA256.HashData(_key, _signedInput, _mac);
        }
        return _mac;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task SignedBroadcastVerifiedFanout()
    {
        var target = _counts.Last + Batch;
        for (var i = 0; i < Batch; i++)
        {
            await _a.BroadcastAsync("cluster:health", _message);
        }
        // woken by the last subscriber (the last each frame reaches), not spinning: on two cores a spinning
        // publisher takes the core the receiver needs
        await _counts.WaitForLastAsync(target);
        while (!_counts.EachReached(target))
        {
            await Task.Yield();
        }
    }
}

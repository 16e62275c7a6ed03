using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using ExEsdbGater;

namespace ExEsdbGater.Benchmarks;

/// <summary>
/// Signed broadcast from bus A through the in-process backplane to bus B, verified once there and delivered to
/// N subscribers; per operation = one broadcast. Raw HMAC of the same frame is the baseline.
/// </summary>
[MemoryDiagnoser]
public class FanoutBenchmarks
{
    private const int Batch = 1000;
    // a subscriber's count every 16 longs (128 bytes): one shared counter would make every delivery wait for its
    // cache line, a cost of the benchmark, not of the bus
    private const int Stride = 16;
    private IGaterBus _a = null!;
    private IGaterBus _b = null!;
    private NodeHealth _message = null!;
    private long[] _counts = [];
    private long _resumeAt = long.MaxValue;
    private readonly SemaphoreSlim _caughtUp = new(0);
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
        _counts = new long[Subscribers * Stride];
        for (var i = 0; i < Subscribers; i++)
        {
            var slot = i * Stride;
            var last = i == Subscribers - 1;
            _b.SubscribeAsync(GaterInstance.Health, "cluster:health", (_, _) =>
            {
                var c = _counts[slot] + 1;
                if (!last)
                {
                    Volatile.Write(ref _counts[slot], c);
                }
                else if (Interlocked.Exchange(ref _counts[slot], c) is var _ && Volatile.Read(ref _resumeAt) is var r && c >= r && Interlocked.CompareExchange(ref _resumeAt, long.MaxValue, r) == r)
                {
                    _caughtUp.Release();
                }
                return ValueTask.CompletedTask;
            }, new SubscriptionOptions { Capacity = 4096 }).AsTask().GetAwaiter().GetResult();
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
        _caughtUp.Dispose();
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
        var target = Volatile.Read(ref _counts[^Stride]) + Batch;
        for (var i = 0; i < Batch; i++)
        {
            await _a.BroadcastAsync("cluster:health", _message);
        }
        // woken by the last subscriber (the last each frame reaches), not spinning: on two cores a spinning
        // publisher takes the core the receiver needs
        while (Volatile.Read(ref _counts[^Stride]) < target)
        {
            Interlocked.Exchange(ref _resumeAt, target);
            if (Volatile.Read(ref _counts[^Stride]) < target)
            {
                await _caughtUp.WaitAsync(TimeSpan.FromMilliseconds(20));
            }
            Interlocked.Exchange(ref _resumeAt, long.MaxValue);
        }
        for (var i = 0; i < _counts.Length; i += Stride)
        {
            while (Volatile.Read(ref _counts[i]) < target)
            {
                await Task.Yield();
            }
        }
    }
}

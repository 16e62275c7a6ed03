using System.Globalization;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using ExEsdbGater;

namespace ExEsdbGater.Benchmarks;

/// <summary>Sign and verify a typical ~450-byte health frame, beside raw HMAC-SHA256 of the same signed bytes.</summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private KeyRing _ring = null!;
    private NodeHealth _message = null!;
    private Envelope _envelope = null!;
    private byte[] _signedInput = null!;
    private byte[] _key = null!;
    private readonly byte[] _mac = new byte[32];
    private byte[][] _frames = null!;
    private FrameVerifier _verifier = null!;
    private IncrementalHash _keyed = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _ring = KeyRing.Of(GaterKey.FromSecret("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"));
        var ctx = new MessageContext("gater1@bench-host");
        _message = HealthMessages.NodeHealth("gater1@bench-host", NodeHealthStatus.Healthy, checks: JsonMap.Of(("disk", "ok"), ("raft", "ok")), loadAvg: 0.42, memoryUsage: 63.5, diskUsage: 71.2, messageContext: ctx);
        _envelope = new Envelope(GaterInstance.Health, "cluster:health", _message.Tag, "msg_1795752000000000_AbCdEf", "gater1@bench-host", 1_795_751_000_000, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var frame = FrameEncoder.Encode(_ring, _envelope, _message);
        var kidEnd = Array.IndexOf(frame, (byte)'.', 5);
        var bodyStart = Array.IndexOf(frame, (byte)'{');
        _signedInput = [.. frame.AsSpan(0, kidEnd + 1), .. frame.AsSpan(bodyStart)];
        _key = _ring.SigningKey!.Key;
        _frames = Enumerable.Range(0, 4096).Select(i => FrameEncoder.Encode(_ring, _envelope with { Id = ElixirCompat.GenerateMessageId() }, _message)).ToArray();
        // a replay memory of one entry: each frame is forgotten before it comes round again, so every call takes the full path
        _verifier = new FrameVerifier(_ring, new VerifierOptions { ReplayCapacity = 1 });
        _keyed = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
    }

    [GlobalCleanup]
    public void Cleanup() => _keyed.Dispose();

    [Benchmark(Baseline = true)]
    public byte[] RawHmacSha256()
    {
        HMACSHA256.HashData(_key, _signedInput, _mac);
        return _mac;
    }

    /// <summary>.NET's keyed HMAC context, reused (what sign and verify used before <c>KeyedHmac</c>).</summary>
    [Benchmark]
    public byte[] KeyedHmacSha256Reused()
    {
        _keyed.AppendData(_signedInput);
        _keyed.GetHashAndReset(_mac);
        return _mac;
    }

    /// <summary>The HMAC as sign and verify compute it (saved SHA-256 states of the padded key on Linux): their floor.</summary>
    [Benchmark]
    public byte[] LibraryHmacSha256()
    {
        _ring.SigningKey!.Mac(_signedInput, _mac);
        return _mac;
    }

    [Benchmark]
    public byte[] Sign() => FrameEncoder.Encode(_ring, _envelope, _message);

    [Benchmark]
    public GaterMessage? Verify()
    {
        var frame = _frames[_next++ & 4095];
        return _verifier.Verify(frame, GaterInstance.Health, "cluster:health").Message;
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using ExEsdbGater.Testing;

namespace ExEsdbGater.Redis.Tests;

/// <summary>The replay memory in Redis: a restarted receiver still rejects replays; scopes; expiry; outages.</summary>
public sealed class RedisReplayStoreTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string Secret = "replay-store-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private static readonly KeyRing Ring = KeyRing.Of(GaterKey.FromSecret(Secret));
    private readonly string _prefix = "r" + Guid.NewGuid().ToString("N")[..8] + ":";

    private Task<RedisReplayStore> StoreAsync(string scope, string? connectionString = null)
        => RedisReplayStore.ConnectAsync(new RedisReplayStoreOptions
        {
            ConnectionString = connectionString ?? redis.ConnectionString,
            Scope = scope,
            Prefix = _prefix,
            // a busy machine must not turn a slow answer into "unavailable"; a stopped server still fails at once
            Timeout = TimeSpan.FromSeconds(10),
        });

    private static byte[] Frame(string id, long ts)
    {
        var m = SampleMessages.Health();
        return FrameEncoder.Encode(Ring, new Envelope(GaterInstance.Health, "cluster:health", m.Tag, id, "pub@test", 1, 1, ts), m);
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static VerifyResult Verify(FrameVerifier v, byte[] frame) => v.Verify(frame, GaterInstance.Health, "cluster:health");

    private sealed class Receiver(IGaterBus bus, RedisReplayStore? store, IGaterBackplane plane) : IAsyncDisposable
    {
        public ConcurrentQueue<Delivery> Delivered { get; } = new();

        public ConcurrentQueue<FrameRejection> Rejected { get; } = new();

        public IGaterBus Bus => bus;

        public async ValueTask DisposeAsync()
        {
            await bus.DisposeAsync();
            await plane.DisposeAsync();
            if (store is not null)
            {
                await store.DisposeAsync();
            }
        }
    }

    // A receiving process: its own bus (and in-memory replay memory), its own Redis connections.
    private async Task<Receiver> ReceiverAsync(string? scope)
    {
        var store = scope is null ? null : await StoreAsync(scope);
        var plane = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = redis.ConnectionString, Prefix = _prefix });
        var bus = GaterBus.Create(new GaterBusOptions { NodeName = "r@test", Keys = Ring, Backplane = plane, Verifier = new VerifierOptions { ReplayStore = store } });
        var r = new Receiver(bus, store, plane);
        bus.FrameRejected += r.Rejected.Enqueue;
        await bus.SubscribeAsync(GaterInstance.Health, "cluster:health", r.Delivered.Enqueue);
        return r;
    }

    private static Task Until(Func<bool> condition, string what) => Waiting.UntilAsync(condition, what);

    [Fact]
    public async Task A_restarted_receiver_rejects_a_replay_that_a_fresh_memory_would_accept()
    {
        await using var raw = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = redis.ConnectionString, Prefix = _prefix });
        var captured = new ConcurrentQueue<byte[]>();
        await using var tap = await raw.SubscribeAsync(GaterInstance.Health, "*", (_, _, f) => captured.Enqueue(f.ToArray()));
        await using var pubPlane = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = redis.ConnectionString, Prefix = _prefix });
        await using var pub = GaterBus.Create(new GaterBusOptions { NodeName = "pub@test", Keys = Ring, Backplane = pubPlane });

        // the receiver accepts a frame, which an intruder with Redis access captures; then the receiver restarts
        var first = await ReceiverAsync("r@test");
        await pub.BroadcastAsync("cluster:health", SampleMessages.Health());
        await Until(() => first.Delivered.Count == 1 && captured.Count == 1, "the first delivery");
        await first.DisposeAsync();

        await using var again = await ReceiverAsync("r@test");
        await using var otherScope = await ReceiverAsync("other@test");
        await using var noStore = await ReceiverAsync(null);
        await raw.PublishAsync(GaterInstance.Health, "cluster:health", captured.Single());

        await Until(() => again.Rejected.Count == 1 && otherScope.Delivered.Count == 1 && noStore.Delivered.Count == 1, "the replay at every receiver");
        Assert.Equal(RejectReason.Replayed, again.Rejected.Single().Reason);
        Assert.Empty(again.Delivered);
        Assert.Empty(otherScope.Rejected);
        Assert.Empty(noStore.Rejected);
    }

    [Fact]
    public async Task A_key_lives_for_the_remaining_window_ts_plus_max_age_plus_skew_minus_now()
    {
        await using var store = await StoreAsync("ttl@test");
        var v = new FrameVerifier(Ring, new VerifierOptions { ReplayStore = store });
        var ts = Now - 100_000;
        Assert.True(Verify(v, Frame("ttl-1", ts)).IsOk);
        var pttl = long.Parse((await RedisProcess.CliAsync(redis.Port, "pttl", RedisReplayStore.KeyName(_prefix, "ttl@test", "pub@test", "ttl-1"))).Trim(), CultureInfo.InvariantCulture);
        // 300 s + 30 s - 100 s = 230 s; the bound below only allows for the time this test took
        Assert.InRange(pttl, 230_000 - 15_000, 230_000);
    }

    [Fact]
    public async Task Only_frames_that_passed_every_other_check_reach_the_store()
    {
        await using var store = await StoreAsync("only@test");
        var v = new FrameVerifier(Ring, new VerifierOptions { ReplayStore = store });
        var forger = KeyRing.Of(GaterKey.FromSecret("forger-secret-0123456789-abcdefghijklmnopqrstuvwxyz", Ring.SigningKey!.Kid));
        var m = SampleMessages.Health();
        var forged = FrameEncoder.Encode(forger, new Envelope(GaterInstance.Health, "cluster:health", m.Tag, "forged", "pub@test", 1, 1, Now), m);
        Assert.Equal(RejectReason.InvalidSignature, Verify(v, forged).Reason);
        Assert.Equal(RejectReason.Expired, Verify(v, Frame("old", Now - 400_000)).Reason);
        var keys = await RedisProcess.CliAsync(redis.Port, "--scan", "--pattern", _prefix + "replay:only@test:*");
        Assert.Equal("", keys.Trim());
    }

    [Fact]
    public async Task An_unreachable_store_fails_closed_by_default_and_degrades_only_when_asked()
    {
        var own = new RedisServer();
        await own.InitializeAsync();
        try
        {
            await using var store = await StoreAsync("down@test", own.ConnectionString);
            var closed = new FrameVerifier(Ring, new VerifierOptions { ReplayStore = store });
            var open = new FrameVerifier(Ring, new VerifierOptions { ReplayStore = store, ReplayStoreFailure = ReplayStoreFailureMode.Accept });
            own.Stop();
            var frame = Frame("during-outage", Now);
            var r = Verify(closed, frame);
            Assert.Equal(RejectReason.ReplayStoreUnavailable, r.Reason);
            Assert.Equal("replay_store_unavailable", r.Reason!.Value.WireName());
            Assert.Equal(1, closed.ReplayStoreFailures);
            Assert.True(Verify(open, frame).IsOk);
            Assert.Equal(1, open.ReplayStoreFailures);

            // the refused frame was not remembered anywhere: once the store is back it is accepted, then remembered
            await own.StartAsync();
            await Until(() => Verify(closed, frame).IsOk, "the store to answer again");
            Assert.Equal(RejectReason.Replayed, Verify(new FrameVerifier(Ring, new VerifierOptions { ReplayStore = store }), frame).Reason);
        }
        finally
        {
            await own.DisposeAsync();
        }
    }
}

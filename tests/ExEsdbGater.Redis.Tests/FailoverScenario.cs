using System.Collections.Concurrent;
using ExEsdbGater.Testing;
using Xunit.Abstractions;

namespace ExEsdbGater.Redis.Tests;

/// <summary>
/// A stream from one bus to another over Redis while a server dies: every message is accounted for — received, in
/// order and once, or reported in a gap — the subscription comes back, and nothing throws.
/// </summary>
internal static class FailoverScenario
{
    private const string Secret = "failover-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private const string Topic = "failover:t";

    public sealed record Outcome(long First, long Last, int Received, long Lost, long GapMissing, long ReceivedAfterKill, long PublishFailures);

    /// <param name="connectionString">Where both buses connect.</param>
    /// <param name="kill">Kills a server; gets the prefix (channels are <c>&lt;prefix&gt;ex_esdb_health:failover:t</c>).</param>
    /// <param name="output">Where the figures are written.</param>
    public static async Task<Outcome> RunAsync(string connectionString, Func<string, Task> kill, ITestOutputHelper output)
    {
        var prefix = "f" + Guid.NewGuid().ToString("N")[..8] + ":";
        var keys = KeyRing.Of(GaterKey.FromSecret(Secret));
        await using var pubPlane = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = connectionString, Prefix = prefix });
        await using var subPlane = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = connectionString, Prefix = prefix });
        await using var a = GaterBus.Create(new GaterBusOptions { NodeName = "pub@test", Keys = keys, Backplane = pubPlane });
        await using var b = GaterBus.Create(new GaterBusOptions { NodeName = "sub@test", Keys = keys, Backplane = subPlane });
        var gaps = new ConcurrentQueue<SequenceGap>();
        var states = new ConcurrentQueue<BackplaneStateChange>();
        b.GapDetected += gaps.Enqueue;
        b.BackplaneStateChanged += states.Enqueue;
        var seqs = new ConcurrentQueue<long>();
        await b.SubscribeAsync(GaterInstance.Health, Topic, d => seqs.Enqueue(d.Envelope!.Seq));

        long lastSent = 0;
        var errors = new ConcurrentQueue<Exception>();
        using var stop = new CancellationTokenSource();
        var publisher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    Volatile.Write(ref lastSent, (await a.BroadcastAsync(Topic, SampleMessages.Health())).Envelope.Seq);
                }
#pragma warning disable CA1031 // the test reports any exception the bus lets out, whatever its type
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    errors.Enqueue(ex);
                }
                await Task.Delay(5);
            }
        });

        await Until(() => seqs.Count >= 100, TimeSpan.FromSeconds(30), "100 messages before the kill");
        await kill(prefix);
        var killedAt = Volatile.Read(ref lastSent);
        await Until(() => seqs.Count(s => s > killedAt) >= 50, TimeSpan.FromSeconds(90), "50 messages after the failover");
        await stop.CancelAsync();
        await publisher;
        // the last message must arrive for every loss before it to be reportable as a gap
        for (var attempt = 0; ; attempt++)
        {
            var final = (await a.BroadcastAsync(Topic, SampleMessages.Health())).Envelope.Seq;
            try
            {
                await Until(() => seqs.Contains(final), TimeSpan.FromSeconds(5), "the final message");
                break;
            }
            catch (TimeoutException) when (attempt < 5)
            {
            }
        }
        await Until(() => gaps.Sum(g => g.Missing) == b.Statistics.Gaps, TimeSpan.FromSeconds(10), "gap events raised");
        // the receiver is told that the backplane is back, though the dead server never returns
        await Until(() => !states.IsEmpty && states.Last().State == BackplaneState.Reconnected, TimeSpan.FromSeconds(10), "Reconnected after the last Disconnected");

        var got = seqs.ToArray();
        var outcome = new Outcome(got[0], got[^1], got.Length, got[^1] - got[0] + 1 - got.Length, gaps.Sum(g => g.Missing), got.Count(s => s > killedAt),
            pubPlane is RedisBackplaneConnection c ? c.PublishFailures : -1);
        output.WriteLine($"{outcome}; states seen by the receiver: {string.Join(", ", states.Select(s => s.State))}");
        Assert.Empty(errors);
        // in order and once: strictly increasing
        Assert.True(got.Zip(got.Skip(1)).All(p => p.First < p.Second), "received out of order or twice: " + string.Join(",", got));
        Assert.Equal(outcome.Lost, outcome.GapMissing);
        Assert.Equal(outcome.Lost, b.Statistics.Gaps);
        // a failover may hand the receiver a frame twice; the copy is refused as replayed, and nothing else is refused
        Assert.Equal(b.Statistics.Rejected, b.Verifier.RejectedCount(RejectReason.Replayed));
        return outcome;
    }

    private static async Task Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }
            await Task.Delay(10);
        }
    }
}

using System.Diagnostics;
using ExEsdbGater;

namespace Gater.Cli.Commands;

/// <summary>
/// Receive scaling (GaterBusOptions.ReceiveWorkers): frames signed on many topics are handed to a bus as a backplane
/// would (one call at a time, from one thread), and every one is verified and delivered to one subscriber's queue,
/// read by a stream reader; verified deliveries per second with 1 and with 2 workers, measured alternately in the same
/// run, each on a bus of its own that stays up for the whole run: a receiver in its steady state.
/// </summary>
internal static class ReceiveScalingBench
{
    /// <summary>
    /// Rates with 1 and 2 workers (verified deliveries/s), the process's CPU µs per frame in each (the lanes' own
    /// cost), and the machine's own ceiling for the ratio: the same frames verified on 1 and on 2 threads with nothing
    /// shared (a verifier each, no bus), frames/s, measured in turn with the bus's rounds.
    /// </summary>
    public static async Task<Result> RunAsync(KeyRing ring, NodeHealth message, TimeSpan budget, CancellationToken ct)
    {
        var count = (int)Math.Clamp(100_000 * budget.TotalSeconds, 20_000, 400_000);
        var warmCount = Math.Min(count, 50_000);
        await using var one = await ReceiveRig.StartAsync(ring, message, 1, count, ct);
        await using var two = await ReceiveRig.StartAsync(ring, message, 2, count, ct);
        // Warm-up: each bus in alternate rounds until its rate stops improving (WarmUp) and its replay memory is
        // full (ReceiveRig.ReplayFull; a fresh bus per round measured the memory's growth, whose fresh pages cost
        // about a tenth of a two-lane round on this VM). Two fixed rounds of 20,000 frames measured the two-lane path
        // still compiling: it runs on threads of its own, whose loop reaches optimized code later than the inline
        // path. Then three alternate rounds; the best of each (noise only ever slows a round).
        for (WarmUp warmOne = new(TimeSpan.FromSeconds(6)), warmTwo = new(TimeSpan.FromSeconds(6)); warmOne.Going || warmTwo.Going || !one.ReplayFull || !two.ReplayFull;)
        {
            warmOne.Add((await one.RoundAsync(warmCount, ct)).Rate);
            warmTwo.Add((await two.RoundAsync(warmCount, ct)).Rate);
        }
        var frames = ReceiveRig.Sign(ring, message, count, new long[ReceiveRig.Topics]);
        (double Rate, double Cpu) rateOne = (0, double.MaxValue), rateTwo = (0, double.MaxValue);
        double alone = 0, pair = 0;
        for (var round = 0; round < 3; round++)
        {
            rateOne = Best(rateOne, await one.RoundAsync(count, ct));
            rateTwo = Best(rateTwo, await two.RoundAsync(count, ct));
            alone = Math.Max(alone, VerifyOnThreads(ring, frames, 1));
            pair = Math.Max(pair, VerifyOnThreads(ring, frames, 2));
        }
        return new Result(rateOne.Rate, rateTwo.Rate, rateOne.Cpu, rateTwo.Cpu, alone, pair);

        static (double, double) Best((double Rate, double Cpu) a, (double Rate, double Cpu) b) => (Math.Max(a.Rate, b.Rate), Math.Min(a.Cpu, b.Cpu));
    }

    /// <summary>Both receive rates and their CPU per frame; verify alone on 1 and on 2 threads (frames/s).</summary>
    internal readonly record struct Result(double One, double Two, double CpuOne, double CpuTwo, double VerifyOne, double VerifyTwo);

    /// <summary>
    /// Every frame verified once, in two halves with a verifier each (its own replay memory), on one thread or on two
    /// that share nothing: the same work either way, so the quotient is what the machine gives a second verifying
    /// thread with no bus between them. On a VM whose second core is shared with its host's other work it can be far
    /// from 2.
    /// </summary>
    private static double VerifyOnThreads(KeyRing ring, (string Topic, byte[] Frame)[] frames, int threads)
    {
        var half = (frames.Length + 1) / 2;
        var parts = new[] { (Start: 0, Count: half), (Start: half, Count: frames.Length - half) };
        var verifiers = parts.Select(p => new FrameVerifier(ring, new VerifierOptions { ReplayCapacity = p.Count + 16 })).ToArray();
        var accepted = 0L;
        Exception? failure = null;
        void Verify(int part)
        {
            var (start, count) = parts[part];
            var verifier = verifiers[part];
            var ok = 0L;
            foreach (var (topic, frame) in frames.AsSpan(start, count))
            {
                if (verifier.Verify(frame, GaterInstance.Health, topic).IsOk)
                {
                    ok++;
                }
            }
            Interlocked.Add(ref accepted, ok);
        }
        using var start = new Barrier(threads + 1);
        // threads = 1: one thread does both halves; threads = 2: a half each
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                for (var part = t; part < parts.Length; part += threads)
                {
                    Verify(part);
                }
            }
#pragma warning disable CA1031 // reported below, on the bench's thread
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref failure, ex, null);
            }
        }) { IsBackground = true }).ToArray();
        foreach (var w in workers)
        {
            w.Start();
        }
        // from a collected heap, as the bus's rounds start
        ReceiveRig.CollectHeap();
        var sw = Stopwatch.StartNew();
        start.SignalAndWait();
        foreach (var w in workers)
        {
            w.Join();
        }
        var rate = frames.Length / sw.Elapsed.TotalSeconds;
        if (failure is not null || accepted != frames.Length)
        {
            throw new InvalidOperationException($"receive bench: {accepted} of {frames.Length} frames verified on {threads} threads", failure);
        }
        return rate;
    }
}

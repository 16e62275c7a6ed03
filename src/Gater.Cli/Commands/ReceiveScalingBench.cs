using System.Diagnostics;
using System.Globalization;
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
    private const int Topics = 256;

    // the reader's batch: read as they come only for the last this many deliveries
    private const int Batch = 4096;

    // each bus's replay memory holds this many rounds' frames, and is full before any round is measured
    private const int ReplayRounds = 2;

    /// <summary>
    /// Rates with 1 and 2 workers (verified deliveries/s), the process's CPU µs per frame in each (the lanes' own
    /// cost), and the machine's own ceiling for the ratio: the same frames verified on 1 and on 2 threads with nothing
    /// shared (a verifier each, no bus), frames/s, measured in turn with the bus's rounds.
    /// </summary>
    public static async Task<Result> RunAsync(KeyRing ring, NodeHealth message, TimeSpan budget, CancellationToken ct)
    {
        var count = (int)Math.Clamp(100_000 * budget.TotalSeconds, 20_000, 400_000);
        var warmCount = Math.Min(count, 50_000);
        await using var one = await Receiver.StartAsync(ring, message, 1, count, ct);
        await using var two = await Receiver.StartAsync(ring, message, 2, count, ct);
        // Warm-up: each bus in alternate rounds until its rate stops improving (WarmUp) and its replay memory is
        // full, so that every measured round finds it at its size, each pair in pushing the oldest out: the work a
        // busy receiver does per frame (one whose pairs expire as they come does the same). A fresh bus per round
        // measured the memory's growth instead, which a receiver pays once: on this VM its fresh pages cost about a
        // tenth of a two-lane round. Two fixed rounds of 20,000 frames measured the two-lane path still compiling: it
        // runs on threads of its own, whose loop reaches optimized code later than the inline path. Then three
        // alternate rounds; the best of each (noise only ever slows a round).
        for (WarmUp warmOne = new(TimeSpan.FromSeconds(6)), warmTwo = new(TimeSpan.FromSeconds(6)); warmOne.Going || warmTwo.Going || !one.ReplayFull || !two.ReplayFull;)
        {
            warmOne.Add((await one.RoundAsync(warmCount, ct)).Rate);
            warmTwo.Add((await two.RoundAsync(warmCount, ct)).Rate);
        }
        var frames = Sign(ring, message, count, new long[Topics]);
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
        CollectHeap();
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

    /// <summary>A full, blocking, compacting collection, finalizers run: what a timed round starts from.</summary>
    private static void CollectHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>Frames with fresh ids, each topic's sequence numbers going on from <paramref name="seqs"/>.</summary>
    private static (string Topic, byte[] Frame)[] Sign(KeyRing ring, NodeHealth message, int count, long[] seqs)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var frames = new (string, byte[])[count];
        for (var i = 0; i < count; i++)
        {
            var t = i % Topics;
            var topic = "bench:t" + t.ToString(CultureInfo.InvariantCulture);
            var envelope = new Envelope(GaterInstance.Health, topic, message.Tag, ElixirCompat.GenerateMessageId(), "gater1@bench-host", 1_795_751_000_000, ++seqs[t], ts);
            frames[i] = (topic, FrameEncoder.Encode(ring, envelope, message));
        }
        return frames;
    }

    /// <summary>One bus with its worker count, its stream, and the sequence numbers its frames go on from.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly KeyRing _ring;
        private readonly NodeHealth _message;
        private readonly IGaterBus _bus;
        private readonly PushBackplane _backplane;
        private readonly IGaterStream _stream;
        private readonly long[] _seqs = new long[Topics];
        private readonly int _workers;

        private Receiver(KeyRing ring, NodeHealth message, int workers, IGaterBus bus, PushBackplane backplane, IGaterStream stream)
            => (_ring, _message, _workers, _bus, _backplane, _stream) = (ring, message, workers, bus, backplane, stream);

        public static async Task<Receiver> StartAsync(KeyRing ring, NodeHealth message, int workers, int count, CancellationToken ct)
        {
            var backplane = new PushBackplane();
            // room for a round's frames at every stage: this measures speed, not drops
            var bus = GaterBus.Create(new GaterBusOptions
            {
                NodeName = "b@bench",
                Keys = ring,
                Backplane = backplane,
                ReceiveWorkers = workers,
                InboundCapacity = count * 4, // split between the lanes, whose topics are not spread evenly
                InboundMaxBytes = 1L << 40,
                Verifier = new VerifierOptions { ReplayCapacity = count * ReplayRounds },
            });
            // a stream read in batches: each delivery is the bus's work (verify, track, enqueue), which is what the
            // workers spread, plus the least a reader can do; a handler's own work runs on its subscription's task.
            // Far from a round's end the reader lets deliveries gather (the queue has room for all): woken for each
            // one, its wake-ups would cost the lanes about as much as a verify on two cores. Near the end it reads
            // each as it comes, so the end is timed exactly.
            try
            {
                var stream = await bus.OpenStreamAsync(GaterInstance.Health, "bench:*", new SubscriptionOptions { Capacity = count }, ct);
                return new Receiver(ring, message, workers, bus, backplane, stream);
            }
            catch
            {
                await bus.DisposeAsync();
                throw;
            }
        }

        /// <summary>True once the replay memory has pushed a pair out: it is at its size.</summary>
        public bool ReplayFull => _bus.Verifier.ReplayForcedEvictions > 0;

        /// <summary>Signs <paramref name="count"/> fresh frames, then hands them over and times them until all are read.</summary>
        public async Task<(double Rate, double CpuMicros)> RoundAsync(int count, CancellationToken ct)
        {
            var frames = Sign(_ring, _message, count, _seqs);
            var verifiedBefore = _bus.Statistics.Verified;
            var reading = Task.Run(async () =>
            {
                var reader = _stream.Reader;
                long n = 0;
                while (n < count && await reader.WaitToReadAsync(ct))
                {
                    while (n < count && reader.TryRead(out _))
                    {
                        n++;
                    }
                    if (count - n > Batch)
                    {
                        await Task.Delay(1, ct);
                    }
                }
            }, ct);
            var handler = _backplane.Handler!;
            // Each round starts from a collected heap, as BenchmarkDotNet's iterations do: the last round's frames and
            // deliveries are garbage, and collecting them in the background during this round takes the second core,
            // which two workers need and one worker leaves idle (two-worker rounds then measured 680,000–820,000
            // deliveries/s instead of 860,000–910,000, one-worker rounds the same either way).
            CollectHeap();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            foreach (var (topic, frame) in frames)
            {
                handler(GaterInstance.Health, topic, frame);
            }
            while (!reading.IsCompleted)
            {
                if (_bus.Statistics.InboundDropped > 0 || sw.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new InvalidOperationException($"receive bench with {_workers} workers: {_bus.Statistics}");
                }
                await Task.WhenAny(reading, Task.Delay(50, ct));
            }
            await reading;
            var rate = count / sw.Elapsed.TotalSeconds;
            var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / count;
            var verified = _bus.Statistics.Verified - verifiedBefore;
            if (verified != count || _bus.Statistics.Rejected != 0 || _bus.Statistics.Gaps != 0)
            {
                throw new InvalidOperationException($"receive bench: {verified} of {count} verified; {_bus.Statistics}");
            }
            return (rate, cpuMicros);
        }

        public async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync();
            await _bus.DisposeAsync();
        }
    }
}

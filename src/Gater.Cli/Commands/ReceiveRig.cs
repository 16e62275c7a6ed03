using System.Diagnostics;
using System.Globalization;
using ExEsdbGater;

namespace Gater.Cli.Commands;

/// <summary>
/// One receiving bus with its worker count, kept up across rounds as a receiver is: a <see cref="PushBackplane"/>
/// driven from one thread, one stream reading every delivery, and each topic's sequence numbers going on from round
/// to round. <c>gater bench</c>'s receive scaling and the BenchmarkDotNet <c>ReceiveLanesBenchmarks</c> (which links
/// this file) both measure through it.
/// </summary>
internal sealed class ReceiveRig : IAsyncDisposable
{
    /// <summary>Topics the frames are spread over, in turn.</summary>
    public const int Topics = 256;

    // the reader's batch: read as they come only for the last this many deliveries
    private const int Batch = 4096;

    // the replay memory holds this many rounds' frames
    private const int ReplayRounds = 2;

    private readonly KeyRing _ring;
    private readonly NodeHealth _message;
    private readonly IGaterBus _bus;
    private readonly PushBackplane _backplane;
    private readonly IGaterStream _stream;
    private readonly long[] _seqs = new long[Topics];
    private readonly int _workers;

    private ReceiveRig(KeyRing ring, NodeHealth message, int workers, IGaterBus bus, PushBackplane backplane, IGaterStream stream)
        => (_ring, _message, _workers, _bus, _backplane, _stream) = (ring, message, workers, bus, backplane, stream);

    /// <summary>A bus with <paramref name="workers"/> receive workers and room for rounds of <paramref name="count"/> frames.</summary>
    public static async Task<ReceiveRig> StartAsync(KeyRing ring, NodeHealth message, int workers, int count, CancellationToken ct)
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
            return new ReceiveRig(ring, message, workers, bus, backplane, stream);
        }
        catch
        {
            await bus.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// True once the replay memory has pushed a pair out: it is at its size, and each pair in then pushes the oldest
    /// out, the work a busy receiver does per frame (one whose pairs expire as they come does the same). A fresh
    /// bus per round would measure the memory's growth instead, which a receiver pays once.
    /// </summary>
    public bool ReplayFull => _bus.Verifier.ReplayForcedEvictions > 0;

    /// <summary>Rounds until <see cref="ReplayFull"/>: at most as many as the memory holds, and one more.</summary>
    public async Task FillReplayAsync(int count, CancellationToken ct)
    {
        for (var i = 0; i <= ReplayRounds && !ReplayFull; i++)
        {
            await RoundAsync(count, ct);
        }
    }

    /// <summary>Prepares a round, then times it: verified deliveries per second and this process's CPU µs per frame.</summary>
    public Task<(double Rate, double CpuMicros)> RoundAsync(int count, CancellationToken ct) => Prepare(count, ct).RunAsync();

    /// <summary>
    /// What a round needs before its clock starts: <paramref name="count"/> fresh frames signed, the stream's reader
    /// waiting for them, and a collected heap.
    /// </summary>
    public Round Prepare(int count, CancellationToken ct)
    {
        var frames = Sign(_ring, _message, count, _seqs);
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
        // Each round starts from a collected heap, as BenchmarkDotNet's iterations do: the last round's frames and
        // deliveries are garbage, and collecting them in the background during this round takes the second core,
        // which two workers need and one worker leaves idle (two-worker rounds then measured 680,000–820,000
        // deliveries/s instead of 860,000–910,000, one-worker rounds the same either way).
        CollectHeap();
        return new Round(this, frames, reading, ct);
    }

    /// <summary>A full, blocking, compacting collection, finalizers run: what a timed round starts from.</summary>
    public static void CollectHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>Frames with fresh ids, each topic's sequence numbers going on from <paramref name="seqs"/>.</summary>
    public static (string Topic, byte[] Frame)[] Sign(KeyRing ring, NodeHealth message, int count, long[] seqs)
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

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        await _bus.DisposeAsync();
    }

    /// <summary>A prepared round: its frames signed and its reader waiting.</summary>
    internal sealed class Round(ReceiveRig rig, (string Topic, byte[] Frame)[] frames, Task reading, CancellationToken ct)
    {
        /// <summary>
        /// Hands every frame to the bus, one call at a time from this thread, and waits until the stream has read
        /// them all; then checks that every one was verified, none rejected and no gap seen.
        /// </summary>
        public async Task<(double Rate, double CpuMicros)> RunAsync()
        {
            var bus = rig._bus;
            var verifiedBefore = bus.Statistics.Verified;
            var handler = rig._backplane.Handler!;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            foreach (var (topic, frame) in frames)
            {
                handler(GaterInstance.Health, topic, frame);
            }
            while (!reading.IsCompleted)
            {
                if (bus.Statistics.InboundDropped > 0 || sw.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new InvalidOperationException($"receive bench with {rig._workers} workers: {bus.Statistics}");
                }
                await Task.WhenAny(reading, Task.Delay(50, ct));
            }
            await reading;
            var rate = frames.Length / sw.Elapsed.TotalSeconds;
            var cpuMicros = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / frames.Length;
            var verified = bus.Statistics.Verified - verifiedBefore;
            if (verified != frames.Length || bus.Statistics.Rejected != 0 || bus.Statistics.Gaps != 0)
            {
                throw new InvalidOperationException($"receive bench: {verified} of {frames.Length} verified; {bus.Statistics}");
            }
            return (rate, cpuMicros);
        }
    }
}

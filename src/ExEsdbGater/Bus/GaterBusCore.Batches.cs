using System.Buffers;

namespace ExEsdbGater.Bus;

// Batches of one channel's frames (the Redis backplane's frame batches): with several receive workers, a batch of 16
// frames or more (no ReplayStore, still receiving) goes to its channel's lane as one arrival, where the lane's worker
// and up to ReceiveWorkers − 1 pool threads check its frames at once up to the replay memory (size, signature, body:
// all thread-safe); then the worker takes each on in order, the replay step first (FrameVerifier.Batches.cs), then
// echo, sequence and fan-out, so order, gaps and replays stay exact. One hot channel then verifies on more than one
// core, where one frame at a time it had one. Rejections found while checking are counted and reported at once, on
// the thread that found them: within a batch, in no fixed order among themselves or with its deliveries.
internal sealed partial class GaterBusCore
{
    // Frames per helper, at least: a pool thread's hand-off costs a few verifies' time.
    private const int FramesPerBatchHelper = 8;

    // the handler this bus gives its backplanes: one delegate, made in the constructor, so that TakesBatches knows it
    private readonly BackplaneFrameHandler _backplaneHandler;

    /// <summary>
    /// True when <paramref name="handler"/> is a bus's own and that bus verifies a batch of <paramref name="count"/>
    /// frames on several threads (several workers, 16 frames or more, no <see cref="VerifierOptions.ReplayStore"/>,
    /// receiving): then <see cref="HandBatch"/> hands it over whole. Otherwise the backplane hands the frames over
    /// one at a time, as always, each failure that frame's own.
    /// </summary>
    internal static bool TakesBatches(BackplaneFrameHandler handler, int count)
        => handler.Target is GaterBusCore bus && ReferenceEquals(handler, bus._backplaneHandler)
            && bus._lanes.Length > 1 && count >= 2 * FramesPerBatchHelper
            && bus.Verifier.Options.ReplayStore is null && !bus._stopping.IsCancellationRequested;

    /// <summary>
    /// Hands a backplane's batch of frames of one channel, in order, to a bus's own handler, when
    /// <see cref="TakesBatches"/> said so. The frames' memory must stay valid after the call returns (as
    /// <see cref="BackplaneFrameHandler"/>'s), and <paramref name="frames"/> may be reused once it returns.
    /// </summary>
    internal static void HandBatch(BackplaneFrameHandler handler, GaterInstance instance, string topic, ReadOnlyMemory<byte>[] frames, int count)
        => ((GaterBusCore)handler.Target!).OnBackplaneBatch(instance, topic, frames, count);

    /// <summary>Batches routed to a lane whole, to be verified on several threads (tests).</summary>
    internal long BatchesRoutedWhole => Interlocked.Read(ref _batchesRoutedWhole);

    private long _batchesRoutedWhole;

    private void OnBackplaneBatch(GaterInstance instance, string topic, ReadOnlyMemory<byte>[] frames, int count)
    {
        // the batch goes to its channel's lane as one arrival, in its copy of the list (the caller reuses its own);
        // should receiving stop meanwhile, Route counts its frames as dropped
        var batch = ArrayPool<ReadOnlyMemory<byte>>.Shared.Rent(count);
        var bytes = 0;
        for (var i = 0; i < count; i++)
        {
            batch[i] = frames[i];
            bytes += frames[i].Length;
        }
        var lane = LaneOf(instance, topic);
        Interlocked.Add(ref lane.Counters.Received, count);
        Interlocked.Increment(ref _batchesRoutedWhole);
        Route(lane, new Arrival(instance, topic, default, new FrameList(batch, count, bytes)));
    }

    // On the lane's worker: it and up to ReceiveWorkers − 1 pool threads verify the batch's frames, then it takes
    // them on in order, as it would one at a time.
    private void ReceiveBatchOnLane(ReceiveLane lane, GaterInstance instance, string topic, ReadOnlyMemory<byte>[] frames, int count)
    {
        var helpers = Math.Min(_lanes.Length - 1, (count / FramesPerBatchHelper) - 1);
        var results = ArrayPool<VerifyResult>.Shared.Rent(count);
        var deferred = ArrayPool<FrameVerifier.DeferredReplay?>.Shared.Rent(count);
        try
        {
            var batch = new ParallelVerify(this, instance, topic, frames, results, deferred, count);
            for (var h = 0; h < helpers; h++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(batch, preferLocal: false);
            }
            batch.Work();
            batch.WaitForAll();
            for (var i = 0; i < Math.Min(count, ReplayPrefetchDistance); i++)
            {
                PrefetchReplay(deferred[i], i);
            }
            for (var i = 0; i < count; i++)
            {
                if (i + ReplayPrefetchDistance < count)
                {
                    PrefetchReplay(deferred[i + ReplayPrefetchDistance], ReplayPrefetchDistance);
                }
                try
                {
                    // the replay steps in frame order, here: of two copies the first is accepted
                    var result = deferred[i] is { } d ? Verifier.CompleteReplay(d, frames[i].Span, instance, topic) : results[i];
                    ReceiveVerified(lane, instance, topic, result, frames[i].Length);
                }
#pragma warning disable CA1031 // as one frame at a time: a failure loses that frame, never the rest
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LaneFailed(ex, instance, topic);
                }
            }
        }
        finally
        {
            Array.Clear(results, 0, count);
            ArrayPool<VerifyResult>.Shared.Return(results);
            Array.Clear(deferred, 0, count);
            ArrayPool<FrameVerifier.DeferredReplay?>.Shared.Return(deferred);
        }
    }

    // How many frames ahead of the replay step in hand their slots are fetched: several look-ups wait on memory at
    // once instead of one after the other.
    private const int ReplayPrefetchDistance = 8;

    private void PrefetchReplay(in FrameVerifier.DeferredReplay? d, int ahead)
    {
        if (d is { } step)
        {
            Verifier.PrefetchReplay(in step, ahead);
        }
    }

    /// <summary>
    /// One batch's checking: the lane's worker and each helper claim frames in turn until none is left, each checked
    /// up to the replay memory. A helper that starts late finds nothing to claim and touches nothing else, so the
    /// arrays may go back once every claimed frame is done.
    /// </summary>
    private sealed class ParallelVerify(GaterBusCore bus, GaterInstance instance, string topic, ReadOnlyMemory<byte>[] frames, VerifyResult[] results, FrameVerifier.DeferredReplay?[] deferred, int count) : IThreadPoolWorkItem
    {
        private int _next = -1;
        private int _done;

        public void Execute() => Work();

        public void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < count)
            {
                try
                {
                    using var activity = StartReceiveActivity();
                    results[i] = bus.Verifier.VerifyUpToReplay(frames[i].Span, instance, topic, out deferred[i]);
                }
#pragma warning disable CA1031 // on a pool thread nothing may escape: the frame is lost and logged
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    results[i] = default;
                    deferred[i] = null;
                    bus.LaneFailed(ex, instance, topic);
                }
                finally
                {
                    Interlocked.Increment(ref _done);
                }
            }
        }

        /// <summary>Waits for the frames helpers have in hand: a check's time each, at most.</summary>
        public void WaitForAll()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _done) < count)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
    }
}

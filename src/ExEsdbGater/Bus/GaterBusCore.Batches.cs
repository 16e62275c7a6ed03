using System.Buffers;
using ExEsdbGater.Frames;

namespace ExEsdbGater.Bus;

// Frames taken on as a group, on a lane's worker: each is checked up to the replay memory, then the group's replay
// steps are taken in frame order under one hold of the replay memory's lock, then each frame is counted, reported,
// tracked and delivered in order, outside it. So order, gaps and replays stay exact, and the lock and the memory's
// counters move between the lanes' cores once a group instead of once a frame (which cost each frame about a tenth
// more CPU with two lanes on two cores). A group is either
// - single frames queued behind each other on the lane (up to GroupSize, never waited for), checked by the worker; or
// - a batch of one channel's frames (the Redis backplane's frame batches): with several receive workers, a batch of
//   16 frames or more (no ReplayStore, still receiving) goes to its channel's lane as one arrival, where the lane's
//   worker and up to ReceiveWorkers − 1 pool threads check its frames at once (size, signature, body: all
//   thread-safe), then it is taken on GroupSize frames at a time. One hot channel then verifies on more than one
//   core, where one frame at a time it had one.
// Rejections found while checking are counted and reported at once, on the thread that found them: within a group,
// in no fixed order among themselves or with its deliveries.
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

    // On the lane's worker: it and up to ReceiveWorkers − 1 pool threads check the batch's frames, then it takes
    // them on in order, GroupSize at a time.
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
            var group = lane.Group;
            for (var start = 0; start < count; start += GroupSize)
            {
                var n = Math.Min(GroupSize, count - start);
                for (var i = 0; i < n; i++)
                {
                    group[i] = new Arrival(instance, topic, frames[start + i], null);
                }
                CompleteGroup(lane, group.AsSpan(0, n), results.AsSpan(start, n), deferred.AsSpan(start, n));
            }
        }
        finally
        {
            Array.Clear(lane.Group);
            Array.Clear(results, 0, count);
            ArrayPool<VerifyResult>.Shared.Return(results);
            Array.Clear(deferred, 0, count);
            ArrayPool<FrameVerifier.DeferredReplay?>.Shared.Return(deferred);
        }
    }

    /// <summary>The most frames whose replay steps are taken under one hold of the replay memory's lock.</summary>
    private const int GroupSize = 16;

    /// <summary>Single frames the worker gathered into <c>lane.Group</c>: checked here, then completed as a group.</summary>
    private void ReceiveGroupOnLane(ReceiveLane lane, int count)
    {
        Interlocked.Add(ref lane.Counters.Grouped, count);
        var group = lane.Group.AsSpan(0, count);
        var results = lane.GroupResults.AsSpan(0, count);
        var deferred = lane.GroupDeferred.AsSpan(0, count);
        for (var i = 0; i < group.Length; i++)
        {
            CheckUpToReplay(group[i].Instance, group[i].Topic, group[i].Frame, out results[i], out deferred[i]);
        }
        try
        {
            CompleteGroup(lane, group, results, deferred);
        }
        finally
        {
            results.Clear();
            deferred.Clear();
        }
    }

    /// <summary>
    /// Checks a frame up to the replay memory, on the lane's worker or a pool thread helping it. Nothing escapes: a
    /// failure loses that frame alone (logged), and the thread and the rest of its group go on.
    /// </summary>
    private void CheckUpToReplay(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, out VerifyResult result, out FrameVerifier.DeferredReplay? deferred)
    {
        try
        {
            using var activity = StartReceiveActivity();
            result = Verifier.VerifyUpToReplay(frame.Span, instance, topic, out deferred);
        }
#pragma warning disable CA1031 // reported here; the frame is lost, the thread goes on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            result = default;
            deferred = null;
            LaneFailed(ex, instance, topic);
        }
    }

    /// <summary>
    /// The replay steps of a group's checked frames under one hold of the lock, then each frame in order: counted
    /// and reported (a step's result; a frame judged before was counted then), tracked and delivered.
    /// </summary>
    private void CompleteGroup(ReceiveLane lane, ReadOnlySpan<Arrival> group, Span<VerifyResult> results, ReadOnlySpan<FrameVerifier.DeferredReplay?> deferred)
    {
        // every slot fetched before the lock is taken: the look-ups under it then wait on memory at once, not in turn
        var steps = 0;
        for (var i = 0; i < deferred.Length; i++)
        {
            if (deferred[i] is { } d)
            {
                Verifier.PrefetchReplay(in d, i);
                steps++;
            }
        }
        Span<long> evictions = stackalloc long[GroupSize];
        var taken = 0;
        Exception? failed = null;
        try
        {
            // a group judged in full before its replay steps (all rejected, say) takes no lock
            if (steps == 0)
            {
                taken = deferred.Length;
            }
            else
            {
                Verifier.CompleteReplays(deferred, results, evictions, ref taken);
            }
        }
#pragma warning disable CA1031 // that frame is lost and logged below; the rest of the group goes on one at a time
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failed = ex;
        }
        for (var i = 0; i < group.Length; i++)
        {
            ref readonly var a = ref group[i];
            try
            {
                VerifyResult result;
                if (deferred[i] is not { } d)
                {
                    // judged and counted before its replay step
                    result = results[i];
                }
                else if (i < taken)
                {
                    result = Verifier.CountCompleted(in results[i], evictions[i], a.Frame.Span, a.Instance, a.Topic);
                }
                else if (i == taken)
                {
                    // the step that threw (its pair may or may not have been entered)
                    LaneFailed(failed!, a.Instance, a.Topic);
                    continue;
                }
                else
                {
                    result = Verifier.CompleteReplay(in d, a.Frame.Span, a.Instance, a.Topic);
                }
                ReceiveVerified(lane, a.Instance, a.Topic, result, a.Frame.Length);
            }
#pragma warning disable CA1031 // as one frame at a time: a failure loses that frame, never the rest
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LaneFailed(ex, a.Instance, a.Topic);
            }
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
                    bus.CheckUpToReplay(instance, topic, frames[i], out results[i], out deferred[i]);
                }
                finally
                {
                    // counted whatever happens: the worker waits for this count
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

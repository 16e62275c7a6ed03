using System.Buffers;
using System.Diagnostics;

namespace ExEsdbGater.Bus;

// Batches of one channel's frames (the Redis backplane's frame batches): with several receive workers, a batch goes
// to its channel's lane as one arrival, where the lane's worker and up to ReceiveWorkers − 1 pool threads verify its
// frames at once (signature, body, replay memory: all thread-safe); then the worker takes each on the usual way, in
// order (echo, sequence, fan-out), so order, gaps and replays stay exact. One hot channel then verifies on more than
// one core, where one frame at a time it had one.
internal sealed partial class GaterBusCore
{
    // Frames per helper, at least: a pool thread's hand-off costs a few verifies' time.
    internal const int FramesPerBatchHelper = 8;

    // the handler this bus gives its backplanes: one delegate, made in the constructor, so that HandBatch knows it
    private readonly BackplaneFrameHandler _backplaneHandler;

    /// <summary>True when <paramref name="handler"/> is a bus's own, which takes a batch at once (<see cref="HandBatch"/>).</summary>
    internal static bool TakesBatches(BackplaneFrameHandler handler)
        => handler.Target is GaterBusCore bus && ReferenceEquals(handler, bus._backplaneHandler);

    /// <summary>
    /// Hands a backplane's batch of frames of one channel, in order, to a bus's own handler (<see cref="TakesBatches"/>).
    /// The frames' memory must stay valid after the call returns (as <see cref="BackplaneFrameHandler"/>'s), and
    /// <paramref name="frames"/> may be reused once it returns.
    /// </summary>
    internal static void HandBatch(BackplaneFrameHandler handler, GaterInstance instance, string topic, ReadOnlyMemory<byte>[] frames, int count)
        => ((GaterBusCore)handler.Target!).OnBackplaneBatch(instance, topic, frames, count);

    private void OnBackplaneBatch(GaterInstance instance, string topic, ReadOnlyMemory<byte>[] frames, int count)
    {
        if (_lanes.Length == 1 || count < 2 * FramesPerBatchHelper || _stopping.IsCancellationRequested)
        {
            // one worker (one thread verifies), or too few frames to share: one frame at a time
            for (var i = 0; i < count; i++)
            {
                OnBackplaneFrame(instance, topic, frames[i]);
            }
            return;
        }
        // the batch goes to its channel's lane as one arrival, in its copy of the list (the caller reuses its own)
        var batch = ArrayPool<ReadOnlyMemory<byte>>.Shared.Rent(count);
        var bytes = 0;
        for (var i = 0; i < count; i++)
        {
            batch[i] = frames[i];
            bytes += frames[i].Length;
        }
        var lane = LaneOf(instance, topic);
        Interlocked.Add(ref lane.Counters.Received, count);
        Route(lane, new Arrival(instance, topic, default, batch, count, bytes));
    }

    // On the lane's worker: it and up to ReceiveWorkers − 1 pool threads verify the batch's frames, then it takes
    // them on in order, as it would one at a time.
    private void ReceiveBatchOnLane(ReceiveLane lane, GaterInstance instance, string topic, ReadOnlyMemory<byte>[] frames, int count)
    {
        var helpers = Math.Min(_lanes.Length - 1, (count / FramesPerBatchHelper) - 1);
        var results = ArrayPool<VerifyResult>.Shared.Rent(count);
        try
        {
            var batch = new ParallelVerify(this, instance, topic, frames, results, count);
            for (var h = 0; h < helpers; h++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(batch, preferLocal: false);
            }
            batch.Work();
            batch.WaitForAll();
            for (var i = 0; i < count; i++)
            {
                try
                {
                    ReceiveVerified(lane, instance, topic, results[i], frames[i].Length);
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
        }
    }

    /// <summary>
    /// One batch's verifying: the lane's worker and each helper claim frames in turn until none is left. A frame meets
    /// the replay memory, and is done, only after every earlier one: of two copies in a batch the first is accepted,
    /// as one frame at a time. A helper that starts late finds nothing to claim and touches nothing else, so the
    /// arrays may go back once every frame is done.
    /// </summary>
    private sealed class ParallelVerify(GaterBusCore bus, GaterInstance instance, string topic, ReadOnlyMemory<byte>[] frames, VerifyResult[] results, int count) : IThreadPoolWorkItem, IReplayOrder
    {
        private int _next = -1;
        // the frame whose turn it is: every frame before it is done
        private int _turn;

        public void Execute() => Work();

        public void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < count)
            {
                try
                {
                    using var activity = GaterTelemetry.Source.StartActivity("exesdbgater receive", ActivityKind.Consumer);
                    results[i] = bus.Verifier.VerifyInOrder(frames[i].Span, instance, topic, this, i);
                }
#pragma warning disable CA1031 // on a pool thread nothing may escape: the frame is lost and logged
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    results[i] = default;
                    bus.LaneFailed(ex, instance, topic);
                }
                finally
                {
                    // claims come in order, so the frame whose turn it is is always being verified: this ends
                    WaitForTurn(i);
                    Volatile.Write(ref _turn, i + 1);
                }
            }
        }

        public void WaitForTurn(int index)
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _turn) < index)
            {
                spin.SpinOnce();
            }
        }

        /// <summary>Waits until every frame is done: at most the time of the verifies helpers have in hand.</summary>
        public void WaitForAll() => WaitForTurn(count);
    }
}

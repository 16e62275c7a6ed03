using System.Runtime.InteropServices;
using System.Threading.Channels;
using ExEsdbGater.Frames;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Bus;

// Receive lanes (GaterBusOptions.ReceiveWorkers): a channel (instance, topic) always maps to the same lane, so each
// publisher's order on it is kept while lanes verify and fan out in parallel. One lane receives inline on the
// backplane's thread; with several, the backplane's thread only routes the frame to its lane's worker (a Redis frame
// batch of 16 frames or more may go as one arrival, checked by the lane and pool helpers: GaterBusCore.Batches.cs).
internal sealed partial class GaterBusCore
{
    private readonly ReceiveLane[] _lanes;
    // Frames routed to one lane and not yet verified and fanned out, at most: its share of InboundCapacity and
    // InboundMaxBytes (at least one frame of the largest size), apart from the verified backlog; beyond it the
    // backplane's thread waits. They wait only for a core, never for a subscriber.
    private long _laneArrivalCapacity, _laneArrivalMaxBytes;
    // A waiting backplane thread resumes once its lane is a quarter below those (at most 1,024 frames and a largest
    // frame's bytes below: a longer wait holds back the other lanes' frames that come through the same thread), or
    // empty. Woken at each of the worker's progress reports (every 32 frames), it routed a few frames, waited again,
    // and spent 0.23 µs a frame routing instead of 0.13 (a two-lane harness whose lanes held 4,096 frames each).
    private long _laneResumeCount, _laneResumeBytes;
    private long _routerWaits, _routerWaitTimeouts;

    /// <summary>Times a backplane thread entered the wait for room: its frame's lane full, or others waiting (tests).</summary>
    internal long RouterWaits => Interlocked.Read(ref _routerWaits);

    /// <summary>Times a waiting backplane thread woke by its timeout rather than by the worker, while receiving (tests).</summary>
    internal long RouterWaitTimeouts => Interlocked.Read(ref _routerWaitTimeouts);

    /// <summary>Frames routed to lane <paramref name="index"/> and not yet verified and fanned out (tests).</summary>
    internal long LanePending(int index) => Pending(_lanes[index]);

    private ReceiveLane[] CreateLanes(int workers)
    {
        _laneArrivalCapacity = Math.Max(1, _inboundCapacity / workers);
        _laneArrivalMaxBytes = Math.Max(FrameRules.MaxFrameBytes, _inboundMaxBytes / workers);
        _laneResumeCount = _laneArrivalCapacity - Math.Clamp(_laneArrivalCapacity / 4, 1, 1024);
        _laneResumeBytes = _laneArrivalMaxBytes - Math.Min(_laneArrivalMaxBytes / 4, FrameRules.MaxFrameBytes);
        var lanes = new ReceiveLane[workers];
        for (var i = 0; i < lanes.Length; i++)
        {
            // a channel's positions live in its lane's tracker: exact, and no lock shared between lanes
            var lane = new ReceiveLane(workers > 1, new SequenceTracker(Math.Max(1, GaterDefaults.SequenceTrackerCapacity / workers)));
            lane.InboundLoop = Task.Run(() => InboundLoopAsync(lane));
            if (lane.Arrivals is not null)
            {
                // a thread of its own: a worker is busy for as long as frames come, and on the thread pool it would
                // hold a pool thread that handler loops and the other lanes then wait for
                lane.Worker = lane.WorkerStopped.Task;
                new Thread(() => LaneWorker(lane)) { IsBackground = true, Name = "gater receive lane" }.Start();
            }
            lanes[i] = lane;
        }
        return lanes;
    }

    // Channels are dealt to the lanes in the order they first arrive, in turn: a hash spread 256 busy topics over two
    // lanes as unevenly as 138 to 118, and the busier lane then worked alone at the end of every burst. A channel
    // keeps its lane for the bus's life, so its order is kept; past MaxDealtChannels, new ones go by a hash.
    private const int MaxDealtChannels = 16_384;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(GaterInstance, string), ReceiveLane> _dealt = new();
    private int _dealtCount;
    private int _nextLane = -1;

    private ReceiveLane LaneOf(GaterInstance instance, string topic)
    {
        if (_lanes.Length == 1)
        {
            return _lanes[0];
        }
        return _dealt.TryGetValue((instance, topic), out var lane) ? lane : Deal(instance, topic);
    }

    private ReceiveLane Deal(GaterInstance instance, string topic)
    {
        if (Volatile.Read(ref _dealtCount) >= MaxDealtChannels)
        {
            return _lanes[(uint)HashCode.Combine(instance, topic) % (uint)_lanes.Length];
        }
        var lane = _lanes[(uint)Interlocked.Increment(ref _nextLane) % (uint)_lanes.Length];
        if (_dealt.TryAdd((instance, topic), lane))
        {
            Interlocked.Increment(ref _dealtCount);
            return lane;
        }
        // dealt by another thread meanwhile: its choice stands
        return _dealt[(instance, topic)];
    }

    // Which lane a channel's frames take (tests).
    internal int LaneIndexOf(GaterInstance instance, string topic) => Array.IndexOf(_lanes, LaneOf(instance, topic));

    /// <summary>Hands a frame to its lane's worker; the caller counted it received.</summary>
    private void Route(ReceiveLane lane, GaterInstance instance, string topic, ReadOnlyMemory<byte> frame)
        // no copy: BackplaneFrameHandler's contract keeps the frame memory valid after the call returns
        => Route(lane, new Arrival(instance, topic, frame, null));

    /// <summary>Hands a frame, or a batch of one channel's frames, to its lane's worker.</summary>
    private void Route(ReceiveLane lane, Arrival a)
    {
        ref var c = ref lane.Counters;
        // a batch waits for room as one frame of its size would: it exceeds the bound by one batch at most. While a
        // router waits, a newcomer waits with it: taking each free place, it could keep the lane above the resume
        // marks and that router waiting for as long as it came.
        if (Volatile.Read(ref lane.Waiters) != 0 || IsFull(lane, a.Bytes))
        {
            WaitForRoom(lane, a.Bytes);
        }
        Interlocked.Add(ref c.RoutedBytes, a.Bytes);
        Interlocked.Add(ref c.Routed, a.Count);
        if (!lane.Arrivals!.Writer.TryWrite(a))
        {
            // receiving has stopped: counted, not lost silently
            Interlocked.Add(ref c.Routed, -a.Count);
            Interlocked.Add(ref c.RoutedBytes, -a.Bytes);
            OnArrivalAfterStop(a.Instance, a.Topic, a.Count);
            a.ReturnBatch();
            return;
        }
        lane.Wakeup.AfterWrite();
    }

    private bool IsFull(ReceiveLane lane, int bytes)
    {
        var count = Pending(lane);
        if (count >= _laneArrivalCapacity)
        {
            return true;
        }
        return count > 0 && PendingBytes(lane) + bytes > _laneArrivalMaxBytes;
    }

    // The lane is as far behind as it may be: hold the backplane's thread until its worker catches up, as verifying
    // inline would. Its worker waits only for a core, never for a subscriber, so this ends; frames are not dropped
    // for want of CPU, and the backplane's own buffering (or its limits) takes the burst, as with one worker.
    private void WaitForRoom(ReceiveLane lane, int bytes)
    {
        Interlocked.Increment(ref _routerWaits);
        lock (lane.Room)
        {
            // a full fence before the check, paired with the worker's after it writes Processed: one sees the other
            Interlocked.Increment(ref lane.Waiters);
            try
            {
                while (!_stopping.IsCancellationRequested && !AtResumeMarks(lane, bytes))
                {
                    // the timeout is a safety net, not the way room is heard of: tests count its use
                    if (!Monitor.Wait(lane.Room, 100) && !_stopping.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref _routerWaitTimeouts);
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref lane.Waiters);
            }
        }
    }

    private static long PendingBytes(ReceiveLane lane)
    {
        var processedBytes = Interlocked.Read(ref lane.Counters.ProcessedBytes);
        return Interlocked.Read(ref lane.Counters.RoutedBytes) - processedBytes;
    }

    /// <summary>Frames routed to the lane and not yet verified and fanned out (or counted as abandoned).</summary>
    private static long Pending(ReceiveLane lane)
    {
        // progress first: what was processed was routed before, so the difference is never negative
        var processed = Interlocked.Read(ref lane.Counters.Processed);
        return Interlocked.Read(ref lane.Counters.Routed) - processed;
    }

    // The worker publishes its progress now and then, not per frame: its counters' line then stays in its core's
    // cache instead of moving to the routing thread's on every frame.
    private void PublishProgress(ReceiveLane lane, long processed, long processedBytes)
    {
        Interlocked.Exchange(ref lane.Counters.ProcessedBytes, processedBytes);
        // a full fence before reading Waiters, paired with WaitForRoom's: a waiting router always hears of the first
        // report at or below the resume marks, and of receiving stopping
        Interlocked.Exchange(ref lane.Counters.Processed, processed);
        if (Volatile.Read(ref lane.Waiters) != 0 && (AtResumeMarks(lane, 0) || _stopping.IsCancellationRequested))
        {
            lock (lane.Room)
            {
                Monitor.PulseAll(lane.Room);
            }
        }
    }

    // Room for a waiting router, whose frame has frameBytes: the lane empty (always enough, whatever the frame's
    // size), or down to the resume marks with room for the frame. The worker asks with 0 to know whether waking a
    // router is worth it (the router checks its own frame).
    private bool AtResumeMarks(ReceiveLane lane, int frameBytes)
    {
        var count = Pending(lane);
        if (count == 0)
        {
            return true;
        }
        var pendingBytes = PendingBytes(lane);
        return count <= _laneResumeCount && pendingBytes <= _laneResumeBytes && pendingBytes + frameBytes <= _laneArrivalMaxBytes;
    }

    // A frame the backplane hands over once receiving has stopped (dispose): counted with what dispose abandons, not
    // reported as a slow consumer, which it is not.
    private void OnArrivalAfterStop(GaterInstance instance, string topic, int frames = 1)
    {
        Interlocked.Add(ref _inboundDropped, frames);
        GaterTelemetry.Dropped.Add(frames, new KeyValuePair<string, object?>("queue", "shutdown"));
        LogArrivalAfterStop(_logger, frames, instance.WireName(), topic);
    }

    private void LaneWorker(ReceiveLane lane)
    {
        Subscription.ClearRunningHandler();
        var reader = lane.Arrivals!.Reader;
        long processed = 0, processedBytes = 0;
        try
        {
            // stopping completes the writer and wakes the worker to end the loop
            while (!_stopping.IsCancellationRequested)
            {
                while (!_stopping.IsCancellationRequested && reader.TryRead(out var a))
                {
                    // with single frames waiting behind this one, up to GroupSize of them are taken as a group
                    var grouped = 0;
                    try
                    {
                        if (a.Batch is not null)
                        {
                            ReceiveBatchOnLane(lane, a.Instance, a.Topic, a.Batch.Frames, a.Batch.Count);
                        }
                        else if (GathersGroups && reader.TryPeek(out var next) && next.Batch is null)
                        {
                            grouped = Gather(lane, a, reader);
                            ReceiveGroupOnLane(lane, grouped);
                        }
                        else
                        {
                            ReceiveOnLane(lane, a.Instance, a.Topic, a.Frame);
                        }
                    }
#pragma warning disable CA1031 // as a backplane's handler: a failure loses that frame, never the lane
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        LaneFailed(ex, a.Instance, a.Topic);
                    }
                    finally
                    {
                        a.ReturnBatch();
                        var before = processed;
                        if (grouped == 0)
                        {
                            processedBytes += a.Bytes;
                            processed += a.Count;
                        }
                        else
                        {
                            foreach (ref var g in lane.Group.AsSpan(0, grouped))
                            {
                                processedBytes += g.Bytes;
                                g = default;
                            }
                            processed += grouped;
                        }
                        if ((before >> 5) != (processed >> 5))
                        {
                            PublishProgress(lane, processed, processedBytes);
                        }
                    }
                }
                // before waiting (or stopping): an idle lane reads as idle
                PublishProgress(lane, processed, processedBytes);
                if (reader.Completion.IsCompleted)
                {
                    break;
                }
                lane.Wakeup.Sleep(reader, _stopping.Token);
            }
            PublishProgress(lane, processed, processedBytes);
        }
        finally
        {
            lane.WorkerStopped.TrySetResult();
        }
    }

    // On the lane's own thread nothing may escape: a logging provider that throws (Logger rethrows it) would end the
    // process, not only the lane.
    private void LaneFailed(Exception ex, GaterInstance instance, string topic)
    {
        try
        {
            LogLaneFailed(_logger, ex, instance.WireName(), topic);
        }
#pragma warning disable CA1031 // the frame's failure is already lost with it; the lane goes on
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    // Lanes take queued frames as groups only without a ReplayStore: with one, every frame's check makes the store's
    // round trip, so a group would hold its first frame back for up to GroupSize − 1 round trips, and gain nothing.
    private bool GathersGroups => Verifier.Options.ReplayStore is null;

    /// <summary>Single frames a lane's worker took on as part of a group (tests).</summary>
    internal long FramesTakenInGroups => _lanes.Sum(l => Interlocked.Read(ref l.Counters.Grouped));

    /// <summary>Frames routed to the lanes and not yet verified and fanned out.</summary>
    internal long ArrivalsPending => _lanes.Sum(Pending);

    /// <summary>True when no lane holds a frame or a delivery; DrainAsync polls it.</summary>
    private bool LanesIdle()
    {
        foreach (var lane in _lanes)
        {
            if (Pending(lane) != 0)
            {
                return false;
            }
            lock (lane.Lock)
            {
                if (lane.Draining)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>
    /// Stops every lane (workers finish the frame, group or batch in hand) and counts what is left, unverified or undelivered, as
    /// inbound drops; returns that count. Safe to call again.
    /// </summary>
    private async ValueTask<long> StopLanesAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var lane in _lanes)
        {
            lane.Arrivals?.Writer.TryComplete();
            lane.Wakeup.WakeToStop();
            lane.Inbound.Writer.TryComplete();
        }
        foreach (var lane in _lanes)
        {
            await lane.Worker.ConfigureAwait(false);
            await lane.InboundLoop.ConfigureAwait(false);
        }
        var abandoned = Interlocked.Exchange(ref _inboundAbandoned, 0);
        foreach (var lane in _lanes)
        {
            while (lane.Arrivals is not null && lane.Arrivals.Reader.TryRead(out var a))
            {
                // the worker has ended: this is now the only writer of its progress
                PublishProgress(lane, Interlocked.Read(ref lane.Counters.Processed) + a.Count, Interlocked.Read(ref lane.Counters.ProcessedBytes) + a.Bytes);
                a.ReturnBatch();
                abandoned += a.Count;
            }
            while (lane.Inbound.Reader.TryRead(out var item))
            {
                Interlocked.Decrement(ref _inboundCount);
                Interlocked.Add(ref _inboundBytes, -item.Bytes);
                abandoned++;
            }
        }
        Interlocked.Add(ref _inboundDropped, abandoned);
        return abandoned;
    }

    /// <summary>
    /// Takes <paramref name="first"/> and the single frames queued right behind it, up to <see cref="GroupSize"/>,
    /// into the lane's group (never waiting for more); returns how many.
    /// </summary>
    private int Gather(ReceiveLane lane, in Arrival first, ChannelReader<Arrival> reader)
    {
        var group = lane.Group;
        group[0] = first;
        var n = 1;
        // once stopping, only the frame in hand is finished: the rest stay queued and are counted as abandoned
        while (n < group.Length && !_stopping.IsCancellationRequested && reader.TryPeek(out var next) && next.Batch is null && reader.TryRead(out next))
        {
            group[n++] = next;
        }
        return n;
    }

    /// <summary>One lane: its lock and mode, its inbound queue and loop, its channels' sequence positions, and (several lanes) its frames and worker.</summary>
    private sealed class ReceiveLane(bool worker, SequenceTracker sequences)
    {
        public readonly SequenceTracker Sequences = sequences;
        // guards the switch between inline fan-out and draining the inbound queue, so the lane's frames stay in order
        public readonly Lock Lock = new();
        public bool Draining;
        // bounded by the bus's count and bytes over all lanes, not per channel
        public readonly Channel<Inbound> Inbound = Channel.CreateUnbounded<Inbound>(new UnboundedChannelOptions { SingleReader = true });
        public readonly Channel<Arrival>? Arrivals = worker ? Channel.CreateUnbounded<Arrival>(new UnboundedChannelOptions { SingleReader = true }) : null;
        public Task InboundLoop = Task.CompletedTask;
        public Task Worker = Task.CompletedTask;
        // the worker's thread: ended, and its wake-up (set by the router when the worker sleeps, or by stopping)
        public readonly TaskCompletionSource WorkerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly WorkerWakeup Wakeup = new();
        // the worker's group of frames taken on together (GaterBusCore.Batches.cs), and their results
        public readonly Arrival[] Group = worker ? new Arrival[GroupSize] : [];
        public readonly VerifyResult[] GroupResults = worker ? new VerifyResult[GroupSize] : [];
        public readonly FrameVerifier.DeferredReplay?[] GroupDeferred = worker ? new FrameVerifier.DeferredReplay?[GroupSize] : [];
        public LaneCounters Counters;
        // where the backplane's thread waits while the lane is full (Monitor.Wait needs an object, not a Lock)
        public readonly object Room = new();
        public int Waiters;
    }

    /// <summary>
    /// A lane's counters, a cache line per writer: counters shared by all lanes, or by the routing thread and the
    /// worker, would move one line between cores on every frame.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct LaneCounters
    {
        // the routing thread's (or, with one lane, the backplane's thread's)
        [FieldOffset(64)] public long Received;
        [FieldOffset(72)] public long Routed;
        [FieldOffset(80)] public long RoutedBytes;

        // the worker's, every frame
        [FieldOffset(128)] public long Verified;
        [FieldOffset(136)] public long Delivered;
        [FieldOffset(144)] public long Echoes;
        [FieldOffset(152)] public long Grouped;

        // the worker's, every 32 frames or when its queue empties; the routing thread reads them
        [FieldOffset(192)] public long Processed;
        [FieldOffset(200)] public long ProcessedBytes;
    }

    /// <summary>A frame routed to a lane, not yet verified; or a batch of one channel's frames, verified on the lane by several threads at once.</summary>
    private readonly record struct Arrival(GaterInstance Instance, string Topic, ReadOnlyMemory<byte> Frame, FrameList? Batch)
    {
        public int Count => Batch?.Count ?? 1;

        public int Bytes => Batch?.Bytes ?? Frame.Length;

        public void ReturnBatch() => Batch?.Return();
    }

    /// <summary>A batch's frames, in a rented array (its first <see cref="Count"/> used), and their bytes.</summary>
    private sealed class FrameList(ReadOnlyMemory<byte>[] frames, int count, int bytes)
    {
        public ReadOnlyMemory<byte>[] Frames => frames;

        public int Count => count;

        public int Bytes => bytes;

        public void Return()
        {
            Array.Clear(frames, 0, count);
            System.Buffers.ArrayPool<ReadOnlyMemory<byte>>.Shared.Return(frames);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Receiving stopped: dropped {Frames} frame(s) on {Instance} {Topic} before verifying them")]
    private static partial void LogArrivalAfterStop(ILogger logger, int frames, string instance, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Receiving a frame on {Instance} {Topic} failed; the lane goes on")]
    private static partial void LogLaneFailed(ILogger logger, Exception exception, string instance, string topic);
}

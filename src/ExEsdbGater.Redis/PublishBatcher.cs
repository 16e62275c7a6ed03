using StackExchange.Redis;

namespace ExEsdbGater.Redis;

/// <summary>
/// Sends the publishes of a burst together. Each PUBLISH written on its own took the multiplexer's write lock, a
/// flush and, as often as not, a wake-up of its socket thread and a send: a publisher that signs each frame is slow
/// enough that the socket thread was idle for every third frame (measured: 0.31 sends per message against 0.09 for the
/// raw client, and 2 µs more CPU per message). Here a publish joins the frames being gathered, and the first of a
/// burst queues one flush on the thread pool, which sends what has gathered by the time it runs. Order is kept: one
/// flush at a time, frames in the order they were gathered.
/// <para>
/// Clocked by replies, as Nagle's algorithm is by acknowledgements: while a flush's last reply is outstanding, new
/// frames gather, and its reply queues the next flush. A flush that ran as soon as its frames came took one or two of
/// them at a time from a publisher signing one per 2 µs, so every frame cost thread-pool and socket-thread wake-ups
/// (measured: 0.4 context switches of each kind per message). A burst now goes out in batches as large as the
/// frames a round trip gathers; a lone frame still goes at once, and a frame waits for the replies outstanding when
/// it came: one round trip while Redis answers, the command timeout if it hangs (a dropped connection fails them at
/// once), and should the client never complete a reply, until <see cref="ReleaseOverdue"/> gives up on it. A full
/// batch's worth (FrameBatch's limits) is sent without waiting, so what waits is bounded.
/// </para>
/// </summary>
/// <remarks>
/// With batching on, consecutive frames of one channel in a flush go out as one <see cref="FrameBatch"/>, up to its
/// limits; a frame alone in its run goes out as itself, so sparse traffic looks as it always did.
/// </remarks>
internal sealed class PublishBatcher
{
    private readonly IDatabase _db;
    // a Redis Cluster's: each PUBLISH sent through one node, outside any StackExchange.Redis batch
    private readonly Func<RedisChannel, RedisValue, Task>? _publishDirect;
    private readonly PublishTracker _tracker;
    private readonly bool _batchFrames;
    private readonly Lock _lock = new();
    // held while sending: the queued flush and one at dispose never send two batches at once, out of order
    private readonly Lock _sending = new();
    private List<(RedisChannel Channel, ReadOnlyMemory<byte> Frame)> _gathering = [];
    // the list the last flush sent, reused for the next burst (only the sender touches it, under _sending)
    private List<(RedisChannel Channel, ReadOnlyMemory<byte> Frame)> _spare = [];
    private readonly List<(Task Reply, int Frames)> _sent = [];
    private bool _flushQueued;
    private bool _closed;
    // flushes whose last reply has not come, oldest first (under _lock), and the bytes gathered since the last flush
    private readonly Queue<AwaitedFlush> _awaiting = new();
    private long _gatheredBytes;
    private readonly TimeProvider _time;
    private readonly Action _onReplied;

    /// <param name="db">Where publishes are batched (one server, or Sentinel's primary).</param>
    /// <param name="tracker">Watches the replies and counts failures per frame.</param>
    /// <param name="batchFrames">Consecutive frames of one channel go out as one <see cref="FrameBatch"/>.</param>
    /// <param name="publishDirect">On a Redis Cluster, how one PUBLISH is sent instead of through a batch of <paramref name="db"/>.</param>
    /// <param name="time">The clock for <see cref="ReleaseOverdue"/>. Default <see cref="TimeProvider.System"/>.</param>
    public PublishBatcher(IDatabase db, PublishTracker tracker, bool batchFrames, Func<RedisChannel, RedisValue, Task>? publishDirect = null, TimeProvider? time = null)
    {
        _db = db;
        _time = time ?? TimeProvider.System;
        _publishDirect = publishDirect;
        _tracker = tracker;
        _batchFrames = batchFrames;
        _onReplied = OnReplied;
    }

    /// <summary>Gathers the frame for the next flush; false when the batcher is closed (nothing would send it).</summary>
    /// <remarks>The frame's memory must stay unchanged until it is sent.</remarks>
    public bool Publish(RedisChannel channel, ReadOnlyMemory<byte> frame)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }
            _gathering.Add((channel, frame));
            _gatheredBytes += frame.Length;
            QueueFlushIfDueLocked();
            return true;
        }
    }

    // The one rule for when frames go: something gathered, no flush queued, not closed (Close sends what is left
    // itself), and no reply awaited or a full batch's worth gathered already.
    private void QueueFlushIfDueLocked()
    {
        if (_flushQueued || _closed || _gathering.Count == 0
            || (_awaiting.Count > 0 && _gathering.Count < FrameBatch.MaxFrames && _gatheredBytes < FrameBatch.MaxBytes))
        {
            return;
        }
        _flushQueued = true;
        ThreadPool.UnsafeQueueUserWorkItem(static self => self.Flush(), this, preferLocal: false);
    }

    // A flush's last reply (success or failure; the tracker counts failures): what gathered meanwhile goes next.
    // Replies come in order, so the answered flushes are at the head; one released by ReleaseOverdue is gone already.
    private void OnReplied()
    {
        lock (_lock)
        {
            DropAnsweredLocked();
            QueueFlushIfDueLocked();
        }
    }

    private void DropAnsweredLocked()
    {
        while (_awaiting.TryPeek(out var oldest) && oldest.Reply is { IsCompleted: true })
        {
            _awaiting.Dequeue();
        }
    }

    /// <summary>
    /// Stops waiting for flushes unanswered for longer than <paramref name="deadline"/>: a reply the client never
    /// completes would otherwise hold later frames back for good (or, with steady traffic, to full batches only).
    /// </summary>
    public void ReleaseOverdue(TimeSpan deadline)
    {
        lock (_lock)
        {
            var released = false;
            while (_awaiting.TryPeek(out var oldest) && _time.GetElapsedTime(oldest.SentAt) > deadline)
            {
                _awaiting.Dequeue();
                released = true;
                // flushes answered behind it (full batches sent meanwhile) were only waiting for it
                DropAnsweredLocked();
            }
            if (released)
            {
                QueueFlushIfDueLocked();
            }
        }
    }

    /// <summary>Refuses later publishes, then sends what has gathered: the last flush.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
        Flush();
    }

    /// <summary>Sends what has gathered so far, in one pass (what comes meanwhile waits for its reply or a full batch).</summary>
    public void Flush()
    {
        lock (_sending)
        {
            FlushLocked();
        }
    }

    private void FlushLocked()
    {
        List<(RedisChannel Channel, ReadOnlyMemory<byte> Frame)> pending;
        AwaitedFlush flush;
        lock (_lock)
        {
            pending = _gathering;
            if (pending.Count == 0)
            {
                // before the swap: swapping an empty list would leave both names on one list, and the next
                // flush would clear frames gathered into it while it sent
                _flushQueued = false;
                return;
            }
            _gathering = _spare;
            _gatheredBytes = 0;
            flush = new AwaitedFlush(_time.GetTimestamp());
            _awaiting.Enqueue(flush);
        }
        Task? lastReply = null;
        try
        {
            lastReply = Send(pending);
        }
        finally
        {
            pending.Clear();
            _spare = pending;
            lock (_lock)
            {
                // nothing to wait for when no reply was set up
                flush.Reply = lastReply ?? Task.CompletedTask;
                // frames that came while this one sent wait for its reply (counted above), unless they fill a batch
                _flushQueued = false;
                QueueFlushIfDueLocked();
            }
            if (lastReply is null)
            {
                OnReplied();
            }
            else
            {
                lastReply.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onReplied);
            }
        }
    }

    // Sends pending in order; the reply that comes last (replies come in order), or null when none was set up.
    private Task? Send(List<(RedisChannel Channel, ReadOnlyMemory<byte> Frame)> pending)
    {
        IBatch? batch = null;
        try
        {
            batch = _publishDirect is null ? _db.CreateBatch() : null;
            for (var i = 0; i < pending.Count;)
            {
                var end = _batchFrames ? RunEnd(pending, i) : i;
                var frame = pending[i].Frame;
                // a lone frame that starts like a batch goes in a batch of one, or a receiver would split it
                var value = end > i || (FrameBatch.IsBatch(frame.Span) && FrameBatch.CanHold(frame.Length))
                    ? (RedisValue)FrameBatch.Write(pending, i, end)
                    : (RedisValue)frame;
                _sent.Add((batch is null ? _publishDirect!(pending[i].Channel, value) : batch.PublishAsync(pending[i].Channel, value), end - i + 1));
                i = end + 1;
            }
            batch?.Execute();
        }
#pragma warning disable CA1031 // on the thread pool nothing may escape; every frame is counted below, once
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // StackExchange.Redis fails a batch's commands before Execute throws, and those are counted with their
            // replies below; frames whose publish was never set up, or (batched) whose reply is still pending, fail
            // here. A cluster's publishes sent before the throw are on their way and counted by their replies.
            var set = 0;
            for (var k = 0; k < _sent.Count; k++)
            {
                var (reply, frames) = _sent[k];
                set += frames;
                if (batch is not null && !reply.IsCompleted)
                {
                    _tracker.GiveUp(reply, frames, ex);
                    _sent[k] = (Task.CompletedTask, 0);
                }
            }
            if (pending.Count > set)
            {
                _tracker.Failed(ex, pending.Count - set);
            }
        }
        Task? last = null;
        try
        {
            foreach (var (reply, frames) in _sent)
            {
                _tracker.Track(reply, frames);
                last = reply;
            }
        }
        finally
        {
            _sent.Clear();
        }
        return last;
    }

    /// <summary>A flush awaiting its last reply (null while it is being sent).</summary>
    private sealed class AwaitedFlush(long sentAt)
    {
        public long SentAt { get; } = sentAt;

        public Task? Reply { get; set; }
    }

    // The last index of the run of frames from start on the same channel that fits one batch.
    private static int RunEnd(List<(RedisChannel Channel, ReadOnlyMemory<byte> Frame)> pending, int start)
    {
        var channel = pending[start].Channel;
        if (!FrameBatch.CanHold(pending[start].Frame.Length))
        {
            return start;
        }
        var bytes = FrameBatch.Magic.Length + 4 + pending[start].Frame.Length;
        var end = start;
        while (end + 1 < pending.Count && end + 1 - start < FrameBatch.MaxFrames && pending[end + 1].Channel == channel
            && FrameBatch.CanHold(pending[end + 1].Frame.Length))
        {
            bytes += 4 + pending[end + 1].Frame.Length;
            if (bytes > FrameBatch.MaxBytes)
            {
                break;
            }
            end++;
        }
        return end;
    }
}

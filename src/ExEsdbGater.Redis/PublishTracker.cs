namespace ExEsdbGater.Redis;

/// <summary>
/// Watches pipelined publishes for failures without a continuation per publish. StackExchange.Redis runs a task's
/// continuations on the thread pool, so one per frame cost a thread hand-off per frame (measured: half a context
/// switch per message, and a publisher four times slower than the raw client). Instead the replies wait in a queue in
/// the order they were sent; each new one looks at the oldest, and a single continuation, on the newest reply at the
/// time, looks at the rest once the pipeline has drained. Every failed publish is still reported, once, with the
/// number of frames it carried.
/// <para>
/// A reply the client never completes (seen once under load: a PUBLISH written as the server died, neither answered
/// nor failed) would stay at the head for good, and every reply queued behind it, failed ones included, would go
/// unreported. <see cref="ExpireOverdue"/>, called about once a second, fails such a reply once it is older than the
/// reply deadline, so that it and those behind it are counted.
/// </para>
/// </summary>
internal sealed class PublishTracker
{
    private readonly Lock _lock = new();
    private readonly Queue<(Task Reply, int Frames, long SentAt)> _inFlight = new();
    private readonly Action<Exception, int> _onFailed;
    private readonly TimeProvider _time;
    private readonly TimeSpan _replyDeadline;
    private Task? _newest;
    // the reply the one watch waits on (null: none); a watch that fires for another (expired) reply only sweeps
    private Task? _watched;

    /// <param name="onFailed">Called once per failed publish with its error and the number of frames it carried.</param>
    /// <param name="replyDeadline">How long a reply may take before <see cref="ExpireOverdue"/> counts it as failed. Default 11 s.</param>
    /// <param name="time">The clock. Default <see cref="TimeProvider.System"/>.</param>
    public PublishTracker(Action<Exception, int> onFailed, TimeSpan? replyDeadline = null, TimeProvider? time = null)
    {
        _onFailed = onFailed;
        _replyDeadline = replyDeadline ?? TimeSpan.FromSeconds(11);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Publishes not yet seen to complete.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>Watches the reply to a publish of <paramref name="frames"/> frames.</summary>
    public void Track(Task reply, int frames = 1)
    {
        if (reply.IsCompleted)
        {
            Observe(reply, frames);
            return;
        }
        var watch = false;
        lock (_lock)
        {
            _inFlight.Enqueue((reply, frames, _time.GetTimestamp()));
            _newest = reply;
            Sweep();
            if (_watched is null)
            {
                _watched = reply;
                watch = true;
            }
        }
        if (watch)
        {
            Watch(reply);
        }
    }

    /// <summary>
    /// Counts as failed each reply at the head older than the deadline (a later completion is ignored), then the
    /// completed ones behind it, and watches what is left.
    /// </summary>
    public void ExpireOverdue()
    {
        Task? watch = null;
        lock (_lock)
        {
            Sweep();
            var watchedExpired = false;
            while (_inFlight.TryPeek(out var head) && !head.Reply.IsCompleted && _time.GetElapsedTime(head.SentAt) > _replyDeadline)
            {
                _inFlight.Dequeue();
                watchedExpired |= ReferenceEquals(head.Reply, _watched);
                GiveUp(head.Reply, head.Frames, new TimeoutException($"No reply to a publish within {_replyDeadline.TotalSeconds:0.#} s."));
                Sweep();
            }
            if (watchedExpired)
            {
                // the watch hangs on a reply that may never come: watch afresh
                watch = NextWatchLocked();
            }
        }
        if (watch is not null)
        {
            Watch(watch);
        }
    }

    // What to watch once the watched reply is done with, or null (nothing left); sets _watched. Caller holds the lock.
    private Task? NextWatchLocked()
    {
        if (!_inFlight.TryPeek(out var oldest))
        {
            _watched = null;
            _newest = null;
            return null;
        }
        // sent since the watch began: watch the newest, whose reply comes after the others'; should one finish out of
        // order (a node changed), the oldest still pending
        _watched = _newest is { IsCompleted: false } newest ? newest : oldest.Reply;
        return _watched;
    }

    /// <summary>Reports frames that failed before a reply could be watched (the send itself threw).</summary>
    public void Failed(Exception error, int frames) => _onFailed(error, frames);

    /// <summary>
    /// Reports a publish whose reply is no longer awaited as failed; should the reply fail after all, that is not
    /// reported again (nor left unobserved).
    /// </summary>
    public void GiveUp(Task reply, int frames, Exception error)
    {
        _onFailed(error, frames);
        _ = reply.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // One continuation per watch, not per publish: a watch lasts until the pipeline drains or its reply comes.
    private void Watch(Task task) => task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => OnWatchedCompleted(task));

    private void OnWatchedCompleted(Task fired)
    {
        Task? watch = null;
        lock (_lock)
        {
            Sweep();
            if (!ReferenceEquals(fired, _watched))
            {
                // a watch given up (its reply expired) that fired after all: the current one carries on
                return;
            }
            watch = NextWatchLocked();
        }
        if (watch is not null)
        {
            Watch(watch);
        }
    }

    /// <summary>
    /// Counts as failed every reply still awaited, once the connection is closed and none can come any more (and the
    /// failed ones among those answered behind them); returns how many were still awaited.
    /// </summary>
    public int FailRemaining(Exception error)
    {
        lock (_lock)
        {
            Sweep();
            var n = 0;
            while (_inFlight.TryDequeue(out var entry))
            {
                if (entry.Reply.IsCompleted)
                {
                    // answered behind one that was not: counted only if it failed
                    Observe(entry.Reply, entry.Frames);
                    continue;
                }
                n++;
                GiveUp(entry.Reply, entry.Frames, error);
            }
            _watched = null;
            _newest = null;
            return n;
        }
    }

    // Replies come in the order the commands went out, so the completed ones are at the head of the queue.
    // Caller holds the lock.
    private void Sweep()
    {
        while (_inFlight.TryPeek(out var head) && head.Reply.IsCompleted)
        {
            _inFlight.Dequeue();
            Observe(head.Reply, head.Frames);
        }
    }

    private void Observe(Task reply, int frames)
    {
        if (!reply.IsCompletedSuccessfully)
        {
            _onFailed(reply.Exception?.InnerException ?? new TaskCanceledException(reply), frames);
        }
    }
}

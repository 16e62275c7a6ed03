namespace ExEsdbGater.Redis;

/// <summary>
/// Watches pipelined publishes for failures without a continuation per publish. StackExchange.Redis runs a task's
/// continuations on the thread pool, so one per frame cost a thread hand-off per frame (measured: half a context
/// switch per message, and a publisher four times slower than the raw client). Instead the replies wait in a queue in
/// the order they were sent; each new one looks at the oldest, and a single continuation, on the newest reply at the
/// time, looks at the rest once the pipeline has drained. Every failed publish is still reported, once, with the
/// number of frames it carried.
/// </summary>
internal sealed class PublishTracker
{
    private readonly Lock _lock = new();
    private readonly Queue<(Task Reply, int Frames)> _inFlight = new();
    private readonly Action<Exception, int> _onFailed;
    private readonly Action _onWatchedCompleted;
    private Task? _newest;
    private bool _watching;

    /// <param name="onFailed">Called once per failed publish with its error and the number of frames it carried.</param>
    public PublishTracker(Action<Exception, int> onFailed)
    {
        _onFailed = onFailed;
        _onWatchedCompleted = OnWatchedCompleted;
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
            _inFlight.Enqueue((reply, frames));
            _newest = reply;
            Sweep();
            if (!_watching)
            {
                _watching = watch = true;
            }
        }
        if (watch)
        {
            Watch(reply);
        }
    }

    /// <summary>Reports frames that failed before a reply could be watched (the send itself threw).</summary>
    public void Failed(Exception error, int frames) => _onFailed(error, frames);

    private void Watch(Task task) => task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onWatchedCompleted);

    private void OnWatchedCompleted()
    {
        Task? watch = null;
        lock (_lock)
        {
            Sweep();
            if (_inFlight.TryPeek(out var oldest))
            {
                // sent since the watch began: watch the newest, whose reply comes after the others'; should one
                // finish out of order (a node changed), the oldest still pending
                watch = _newest is { IsCompleted: false } newest ? newest : oldest.Reply;
            }
            else
            {
                _watching = false;
                _newest = null;
            }
        }
        if (watch is not null)
        {
            Watch(watch);
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

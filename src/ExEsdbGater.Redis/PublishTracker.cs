namespace ExEsdbGater.Redis;

/// <summary>
/// Watches pipelined publishes for failures without a continuation per frame. StackExchange.Redis runs a task's
/// continuations on the thread pool, so one per frame cost a thread hand-off per frame (measured: half a context
/// switch per message, and a publisher four times slower than the raw client). Instead the tasks wait in a queue in
/// the order they were sent; each publish looks at the oldest, and a single continuation, on the newest task at the
/// time, looks at the rest once the pipeline has drained. Every failed publish is still reported, once.
/// </summary>
internal sealed class PublishTracker
{
    private readonly Lock _lock = new();
    private readonly Queue<Task> _inFlight = new();
    private readonly Action<Exception> _onFailed;
    private readonly Action _onWatchedCompleted;
    private Task? _newest;
    private bool _watching;

    public PublishTracker(Action<Exception> onFailed)
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

    public void Track(Task task)
    {
        if (task.IsCompleted)
        {
            Observe(task);
            return;
        }
        var watch = false;
        lock (_lock)
        {
            _inFlight.Enqueue(task);
            _newest = task;
            Sweep();
            if (!_watching)
            {
                _watching = watch = true;
            }
        }
        if (watch)
        {
            Watch(task);
        }
    }

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
                watch = _newest is { IsCompleted: false } newest ? newest : oldest;
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

    // Replies come in the order the commands went out, so the completed tasks are at the head of the queue.
    // Caller holds the lock.
    private void Sweep()
    {
        while (_inFlight.TryPeek(out var head) && head.IsCompleted)
        {
            _inFlight.Dequeue();
            Observe(head);
        }
    }

    private void Observe(Task task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            _onFailed(task.Exception?.InnerException ?? new TaskCanceledException(task));
        }
    }
}

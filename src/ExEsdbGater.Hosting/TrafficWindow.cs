namespace ExEsdbGater.Hosting;

/// <summary>Counts of a bus sampled at each health check, so rejections and drops can be read over a window.</summary>
internal sealed class TrafficWindow(TimeSpan window)
{
    private readonly Lock _lock = new();
    private readonly Queue<(DateTimeOffset At, long Rejected, long Dropped)> _samples = new();
    private (long Rejected, long Dropped) _expired;

    /// <summary>Records the totals now and returns how much they grew since the oldest sample within the window.</summary>
    public (long Rejected, long Dropped) Add(DateTimeOffset now, long rejected, long dropped)
    {
        lock (_lock)
        {
            while (_samples.Count > 0 && now - _samples.Peek().At > window)
            {
                var (_, r, d) = _samples.Dequeue();
                _expired = (r, d);
            }
            // no sample inside the window: the growth since the last one that fell out of it (since the start, at first)
            var (r0, d0) = _samples.Count > 0 ? (_samples.Peek().Rejected, _samples.Peek().Dropped) : _expired;
            _samples.Enqueue((now, rejected, dropped));
            return (rejected - r0, dropped - d0);
        }
    }
}

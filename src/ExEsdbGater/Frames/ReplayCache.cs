namespace ExEsdbGater;

/// <summary>
/// Remembers accepted (node, id) pairs for the max age, bounded by a capacity. When the cap forces an entry out
/// before it expires, the eviction is counted and reported.
/// </summary>
internal sealed class ReplayCache
{
    private readonly Dictionary<(string Node, string Id), long> _seen;
    private readonly Queue<((string Node, string Id) Key, long ExpiresAt)> _order;
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private long _forcedEvictions;

    public ReplayCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _seen = new Dictionary<(string, string), long>(Math.Min(capacity, 4096));
        _order = new Queue<((string, string), long)>(Math.Min(capacity, 4096));
    }

    public long ForcedEvictions => Interlocked.Read(ref _forcedEvictions);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _seen.Count;
            }
        }
    }

    public bool Contains(string node, string id, long nowMs)
    {
        lock (_lock)
        {
            return _seen.TryGetValue((node, id), out var exp) && exp >= nowMs;
        }
    }

    /// <summary>Adds the pair; returns false when it is already present and unexpired. Reports a forced eviction through <paramref name="evicted"/>.</summary>
    public bool TryAdd(string node, string id, long expiresAt, long nowMs, out bool evicted)
    {
        evicted = false;
        lock (_lock)
        {
            while (_order.TryPeek(out var head) && head.ExpiresAt < nowMs)
            {
                _order.Dequeue();
                if (_seen.TryGetValue(head.Key, out var exp) && exp == head.ExpiresAt)
                {
                    _seen.Remove(head.Key);
                }
            }
            if (_seen.TryGetValue((node, id), out var existing) && existing >= nowMs)
            {
                return false;
            }
            while (_seen.Count >= _capacity && _order.TryDequeue(out var old))
            {
                if (_seen.TryGetValue(old.Key, out var exp) && exp == old.ExpiresAt)
                {
                    _seen.Remove(old.Key);
                    evicted = true;
                    _forcedEvictions++;
                }
            }
            _seen[(node, id)] = expiresAt;
            _order.Enqueue(((node, id), expiresAt));
            return true;
        }
    }
}

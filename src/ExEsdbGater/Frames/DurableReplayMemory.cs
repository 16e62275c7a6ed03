namespace ExEsdbGater.Frames;

/// <summary>
/// Accepted (node, id) pairs of stream entries, with the entry they came in: the same pair in another entry is a
/// replay, the same entry again is a redelivery. Expiry runs on entry time (the newest seen), bounded by a capacity.
/// </summary>
internal sealed class DurableReplayMemory(int capacity)
{
    private readonly Dictionary<(string Node, string Id), (string Entry, long ExpiresAt)> _seen = [];
    private readonly Queue<((string, string) Key, long ExpiresAt)> _order = new();
    private readonly Lock _lock = new();
    private long _newest;

    public bool SeenInAnotherEntry(string node, string id, string entryId, long now)
    {
        lock (_lock)
        {
            return _seen.TryGetValue((node, id), out var e) && e.ExpiresAt >= now && !string.Equals(e.Entry, entryId, StringComparison.Ordinal);
        }
    }

    public void Remember(string node, string id, string entryId, long expiresAt, long now)
    {
        lock (_lock)
        {
            _newest = Math.Max(_newest, now);
            while (_order.Count > 0 && (_order.Peek().ExpiresAt < _newest || _order.Count >= capacity))
            {
                var (key, exp) = _order.Dequeue();
                if (_seen.TryGetValue(key, out var e) && e.ExpiresAt == exp)
                {
                    _seen.Remove(key);
                }
            }
            _seen[(node, id)] = (entryId, expiresAt);
            _order.Enqueue(((node, id), expiresAt));
        }
    }
}

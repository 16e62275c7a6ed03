namespace ExEsdbGater.Frames;

/// <summary>
/// Remembers accepted (node, id) pairs for the max age, bounded by a capacity. When the cap forces an entry out
/// before it expires, the eviction is counted and reported.
/// </summary>
/// <remarks>
/// Pairs are kept as 64-bit hashes (seeded per process), not strings: entries hold no references, so a large
/// replay memory costs the garbage collector nothing, and each entry takes about 40 bytes. An attacker cannot aim
/// for a collision without the process's seed; an accidental one (about 1 in 2^64 per pair) would only reject a
/// frame as <c>replayed</c>.
/// </remarks>
internal sealed class ReplayCache
{
    private readonly Dictionary<ulong, long> _seen;
    private readonly Queue<(ulong Key, long ExpiresAt)> _order;
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private long _forcedEvictions;

    public ReplayCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _seen = new Dictionary<ulong, long>(Math.Min(capacity, 4096));
        _order = new Queue<(ulong, long)>(Math.Min(capacity, 4096));
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

    private static readonly ulong Seed = (ulong)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue) << 32
        | (uint)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);

    // 64-bit FNV-1a over both strings from a per-process random start, finished with a 64-bit avalanche mix.
    // (Mixing two precomputed 32-bit string hashes would leave only 32 bits of the id: collisions at scale.)
    public static ulong KeyOf(string node, string id)
    {
        var h = 14695981039346656037UL ^ Seed;
        foreach (var c in node)
        {
            h = (h ^ c) * 1099511628211UL;
        }
        h = (h ^ '\n') * 1099511628211UL;
        foreach (var c in id)
        {
            h = (h ^ c) * 1099511628211UL;
        }
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        return h ^ (h >> 33);
    }

    /// <summary>True when the pair of <paramref name="key"/> (<see cref="KeyOf"/>) is present and unexpired.</summary>
    public bool Contains(ulong key, long nowMs)
    {
        lock (_lock)
        {
            return _seen.TryGetValue(key, out var exp) && exp >= nowMs;
        }
    }

    /// <summary>Adds the pair; returns false when it is already present and unexpired. Reports a forced eviction through <paramref name="evicted"/>.</summary>
    public bool TryAdd(ulong key, long expiresAt, long nowMs, out bool evicted)
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
            if (_seen.TryGetValue(key, out var existing) && existing >= nowMs)
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
            _seen[key] = expiresAt;
            _order.Enqueue((key, expiresAt));
            return true;
        }
    }
}

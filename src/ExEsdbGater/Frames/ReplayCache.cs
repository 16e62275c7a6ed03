namespace ExEsdbGater.Frames;

/// <summary>
/// Remembers accepted (node, id) pairs for the max age, bounded by a capacity. When the cap forces an entry out
/// before it expires, the eviction is counted and reported.
/// </summary>
/// <remarks>
/// Pairs are kept as 64-bit hashes (seeded per process), not strings: entries hold no references, so a large
/// replay memory costs the garbage collector nothing, and each entry takes about 48 bytes. An attacker cannot aim
/// for a collision without the process's seed; an accidental one (about 1 in 2^64 per pair) would only reject a
/// frame as <c>replayed</c>.
/// The pairs live in an open-addressing table (linear probing, at most half full, deletion by backward shift) of
/// 16-byte slots: a look-up in a full million-pair memory touches one cache line where a dictionary touched two
/// (bucket, then entry), and a receiver pays it twice a frame (the look-up, and the eviction of the oldest pair).
/// </remarks>
internal sealed partial class ReplayCache
{
    private const int InitialSlots = 8192;

    // Pairs in the order they came (a renewed one again), oldest first: a ring whose length is a power of two, so that
    // a hint read without the lock (PrefetchEviction) always lands inside it.
    private (ulong Key, long ExpiresAt)[] _order;
    private int _orderHead;
    private int _orderCount;
    private readonly int _capacity;
    private readonly int _maxSlots;
    // the ring's length once it holds the capacity's pairs (it may grow past it: ReplayCache.Growth.cs)
    private readonly int _orderTarget;
    private readonly Lock _lock = new();
    private Slot[] _slots;
    private int _count;
    private long _forcedEvictions;

    private struct Slot
    {
        // 0: empty (a pair whose key is 0 is kept as 1)
        public ulong Key;
        public long ExpiresAt;
    }

    public ReplayCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        // at most half full at capacity; grown by doubling from a small start, so an idle verifier stays small
        _maxSlots = (int)Math.Min(1L << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity) * 2u));
        _slots = new Slot[Math.Min(InitialSlots, _maxSlots)];
        _orderTarget = (int)Math.Min(1L << 30, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity));
        _order = new (ulong, long)[Math.Min(_orderTarget, 4096)];
    }

    public long ForcedEvictions => Interlocked.Read(ref _forcedEvictions);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    // 64-bit FNV-1a over the node's chars and the id's UTF-8 bytes from a per-process random start, finished with a
    // 64-bit avalanche mix. The id is taken as raw bytes when its frame does not escape it, otherwise as the decoded
    // string's UTF-8, which is the same bytes (ids are printable ASCII): it never has to become a string for this.
    // (Mixing two precomputed 32-bit string hashes would leave only 32 bits of the id: collisions at scale.)
    public static ulong KeyOf(string node, ReadOnlySpan<byte> idUtf8)
    {
        var h = 14695981039346656037UL ^ HashSeed.Value;
        foreach (var c in node)
        {
            h = (h ^ c) * 1099511628211UL;
        }
        h = (h ^ '\n') * 1099511628211UL;
        foreach (var b in idUtf8)
        {
            h = (h ^ b) * 1099511628211UL;
        }
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        return h ^ (h >> 33);
    }

    // An id that was escaped in its frame: the same key as the same id written plainly.
    public static ulong KeyOf(string node, string id)
    {
        var count = System.Text.Encoding.UTF8.GetByteCount(id);
        var bytes = count <= 256 ? stackalloc byte[256] : new byte[count];
        return KeyOf(node, bytes[..System.Text.Encoding.UTF8.GetBytes(id, bytes)]);
    }

    /// <summary>True when the pair of <paramref name="key"/> (<see cref="KeyOf(string, ReadOnlySpan{byte})"/>) is present and unexpired.</summary>
    public bool Contains(ulong key, long nowMs)
    {
        key = Stored(key);
        lock (_lock)
        {
            var i = Find(key);
            return i >= 0 && _slots[i].ExpiresAt >= nowMs;
        }
    }

    /// <summary>Adds the pair; returns false when it is already present and unexpired. Reports a forced eviction through <paramref name="evicted"/>.</summary>
    public bool TryAdd(ulong key, long expiresAt, long nowMs, out bool evicted)
    {
        evicted = false;
        key = Stored(key);
        Spares wanted;
        lock (_lock)
        {
            while (_orderCount > 0 && _order[_orderHead].ExpiresAt < nowMs)
            {
                var head = Dequeue();
                RemoveIfSame(head.Key, head.ExpiresAt);
            }
            var at = Find(key);
            if (at >= 0 && _slots[at].ExpiresAt >= nowMs)
            {
                return false;
            }
            while (_count >= _capacity && _orderCount > 0)
            {
                var old = Dequeue();
                if (RemoveIfSame(old.Key, old.ExpiresAt))
                {
                    evicted = true;
                    _forcedEvictions++;
                }
            }
            // removals shift slots: find the pair (or its empty slot) again
            at = Find(key);
            if (at >= 0)
            {
                _slots[at].ExpiresAt = expiresAt;
            }
            else
            {
                if ((_count + 1) * 2 > _slots.Length && _slots.Length < _maxSlots)
                {
                    Grow();
                }
                _slots[EmptySlotFor(_slots, key)] = new Slot { Key = key, ExpiresAt = expiresAt };
                _count++;
            }
            Enqueue((key, expiresAt));
            // once full, the next pair in will push the oldest out: fetch its slot for that frame
            PrefetchEviction(0);
            wanted = SparesWanted();
        }
        if (wanted.Any)
        {
            PrepareOrDefer(wanted);
        }
        return true;
    }

    /// <summary>
    /// Holds the lock until the scope is disposed: the <see cref="TryAdd"/> and <see cref="Contains"/> calls made
    /// meanwhile on this thread take it again at no cost, and no other thread comes between them. Memory those calls
    /// want prepared for growing is prepared once the scope ends, outside the lock.
    /// </summary>
    public HoldScope Hold()
    {
        _lock.Enter();
        return new HoldScope(this);
    }

    /// <summary>A hold of the lock, from <see cref="Hold"/>.</summary>
    public ref struct HoldScope(ReplayCache cache)
    {
        /// <summary>Releases the lock, then prepares what the calls made under it wanted.</summary>
        public readonly void Dispose() => cache.Release();
    }

    private static ulong Stored(ulong key) => key == 0 ? 1 : key;

    private (ulong Key, long ExpiresAt) Dequeue()
    {
        var e = _order[_orderHead];
        _orderHead = (_orderHead + 1) & (_order.Length - 1);
        _orderCount--;
        return e;
    }

    private void Enqueue((ulong Key, long ExpiresAt) e)
    {
        if (_orderCount == _order.Length)
        {
            GrowOrder();
        }
        _order[(_orderHead + _orderCount) & (_order.Length - 1)] = e;
        _orderCount++;
    }

    /// <summary>
    /// Starts fetching the slot of the pair that the <paramref name="ahead"/>-th insert from now pushes out of a full
    /// memory, taking no lock (a hint: a pair read half-written, or one that has moved, costs only a useless fetch).
    /// </summary>
    public void PrefetchEviction(int ahead)
    {
        if (Volatile.Read(ref _count) < _capacity)
        {
            return;
        }
        var order = _order;
        var slots = _slots;
        // the ring holds keys as stored
        var victim = order[(Volatile.Read(ref _orderHead) + ahead) & (order.Length - 1)].Key;
        PrefetchSlot(ref slots[(int)victim & (slots.Length - 1)]);
    }

    /// <summary>
    /// Starts fetching the slot of a pair into the cache, without the lock (a hint: a table replaced meanwhile is
    /// harmless), so that the look-up a little later (<see cref="Contains"/> or <see cref="TryAdd"/>) does not wait on
    /// memory.
    /// </summary>
    public void Prefetch(ulong key)
    {
        var slots = _slots;
        PrefetchSlot(ref slots[(int)Stored(key) & (slots.Length - 1)]);
    }

    private static unsafe void PrefetchSlot(ref Slot slot)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(System.Runtime.CompilerServices.Unsafe.AsPointer(ref slot));
        }
    }

    private int Find(ulong key)
    {
        var mask = _slots.Length - 1;
        for (var i = (int)key & mask; ; i = (i + 1) & mask)
        {
            var k = _slots[i].Key;
            if (k == key)
            {
                return i;
            }
            if (k == 0)
            {
                return -1;
            }
        }
    }

    // The pair leaves only if it still has this expiry (a later TryAdd of the same pair renewed it otherwise).
    private bool RemoveIfSame(ulong key, long expiresAt)
    {
        var i = Find(key);
        if (i < 0 || _slots[i].ExpiresAt != expiresAt)
        {
            return false;
        }
        // backward shift: pull later slots of the probe run into the hole unless they already sit at or after
        // their home slot within the run, so every key stays reachable without tombstones
        var mask = _slots.Length - 1;
        var hole = i;
        for (var j = (hole + 1) & mask; _slots[j].Key != 0; j = (j + 1) & mask)
        {
            var home = (int)_slots[j].Key & mask;
            var stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
            if (!stays)
            {
                _slots[hole] = _slots[j];
                hole = j;
            }
        }
        _slots[hole] = default;
        _count--;
        return true;
    }

    // The first empty slot of the key's probe run (the table is never full).
    private static int EmptySlotFor(Slot[] slots, ulong key)
    {
        var mask = slots.Length - 1;
        var i = (int)key & mask;
        while (slots[i].Key != 0)
        {
            i = (i + 1) & mask;
        }
        return i;
    }
}

namespace ExEsdbGater.Frames;

// Growing the table and the ring. Both grow under the lock, but the memory they grow into is taken and touched
// beforehand, on a pool thread, once an entry brings them within a quarter of growing. On a VM the first touches of a
// fresh 4–8 MB table took 13–34 ms: under the lock every other receive lane waited all that time, and on the entering
// thread its own lane stalled that long while the others went on, leaving them idle at the end of a burst. The
// price: a prepared table and ring wait for their growth beside the current ones, from three eighths of the table
// (three quarters of the ring) until it grows: a memory of the default capacity holds up to about 72 MB then,
// against its 48 MB once full (docs/security.md).
internal sealed partial class ReplayCache
{
    // the bytes the operating system maps at a time: touching one slot of each maps the whole array
    private const int PageBytes = 4096;

    private Slot[]? _spareSlots;
    private (ulong Key, long ExpiresAt)[]? _spareOrder;
    private int _preparingSpares;
    private long _grownUnprepared;
    // what a TryAdd under a Hold wanted prepared: asked for once the hold ends (guarded by the lock)
    private Spares _deferredSpares;

    /// <summary>Growths of the table or the ring that found no memory prepared for them and took it under the lock (tests).</summary>
    internal long GrownUnprepared => Interlocked.Read(ref _grownUnprepared);

    /// <summary>True while a pool thread prepares memory for growing (tests).</summary>
    internal bool PreparingSpares => Volatile.Read(ref _preparingSpares) != 0;

    /// <summary>True while a grown table waits, prepared (tests).</summary>
    internal bool HasSpareSlots
    {
        get
        {
            lock (_lock)
            {
                return _spareSlots is not null;
            }
        }
    }

    /// <summary>The sizes to prepare (0: none), worked out under the lock.</summary>
    private readonly record struct Spares(int Slots, int Order)
    {
        public bool Any => (Slots | Order) != 0;
    }

    /// <summary>The caller holds the lock.</summary>
    private Spares SparesWanted()
    {
        // the table grows past half full: prepare from three eighths. The ring is prepared only up to the capacity's
        // size; past it (renewed pairs' stale entries) it grows rarely, and a spare held for it would mostly idle.
        var slots = _spareSlots is null && _slots.Length < _maxSlots && (long)_count * 8 >= (long)_slots.Length * 3 ? _slots.Length * 2 : 0;
        var order = _spareOrder is null && _order.Length < _orderTarget && (long)_orderCount * 4 >= (long)_order.Length * 3 ? _order.Length * 2 : 0;
        return new Spares(slots, order);
    }

    /// <summary>After a TryAdd: asks for the memory now, or, under a <see cref="Hold"/>, once the hold ends.</summary>
    private void PrepareOrDefer(Spares wanted)
    {
        if (_lock.IsHeldByCurrentThread)
        {
            _deferredSpares = new Spares(Math.Max(_deferredSpares.Slots, wanted.Slots), Math.Max(_deferredSpares.Order, wanted.Order));
            return;
        }
        PrepareInBackground(wanted);
    }

    /// <summary>The end of a <see cref="Hold"/>: the lock released, then what was deferred asked for.</summary>
    private void Release()
    {
        var wanted = _deferredSpares;
        _deferredSpares = default;
        _lock.Exit();
        if (wanted.Any)
        {
            PrepareInBackground(wanted);
        }
    }

    private void PrepareInBackground(Spares wanted)
    {
        // one preparation at a time; meanwhile entries go on (one that finds nothing prepared grows as before). Read
        // before the exchange, which would take the line from other cores on every entry meanwhile.
        if (Volatile.Read(ref _preparingSpares) != 0 || Interlocked.CompareExchange(ref _preparingSpares, 1, 0) != 0)
        {
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static p => p.Cache.PrepareSpares(p.Wanted), (Cache: this, Wanted: wanted), preferLocal: false);
    }

    private void PrepareSpares(Spares wanted)
    {
        try
        {
            var slots = wanted.Slots == 0 ? null : Touched(new Slot[wanted.Slots], PageBytes / 16);
            var order = wanted.Order == 0 ? null : Touched(new (ulong, long)[wanted.Order], PageBytes / 16);
            lock (_lock)
            {
                // kept only if still the next size: the table or the ring may have grown meanwhile without it
                if (slots is not null && slots.Length == _slots.Length * 2)
                {
                    _spareSlots = slots;
                }
                if (order is not null && order.Length == _order.Length * 2)
                {
                    _spareOrder = order;
                }
            }
        }
#pragma warning disable CA1031 // on a pool thread: nothing prepared (out of memory, say), and the growth takes it under the lock as before
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Volatile.Write(ref _preparingSpares, 0);
        }
    }

    // one write a page: the array is already zero, but its pages are mapped only when first written
    private static T[] Touched<T>(T[] array, int perPage)
    {
        for (var i = 0; i < array.Length; i += perPage)
        {
            array[i] = default!;
        }
        return array;
    }

    /// <summary>The caller holds the lock.</summary>
    private void Grow()
    {
        var old = _slots;
        _slots = Take(ref _spareSlots, old.Length * 2);
        foreach (var slot in old)
        {
            if (slot.Key == 0)
            {
                continue;
            }
            _slots[EmptySlotFor(_slots, slot.Key)] = slot;
        }
    }

    /// <summary>The caller holds the lock.</summary>
    private void GrowOrder()
    {
        // it starts small (an idle verifier stays small), and renewed pairs leave stale entries behind, so it may
        // outgrow the capacity too: double it, oldest first
        var grown = Take(ref _spareOrder, _order.Length * 2);
        for (var i = 0; i < _orderCount; i++)
        {
            grown[i] = _order[(_orderHead + i) & (_order.Length - 1)];
        }
        _order = grown;
        _orderHead = 0;
    }

    private T[] Take<T>(ref T[]? spare, int length)
    {
        var taken = spare;
        spare = null;
        if (taken is not null && taken.Length == length)
        {
            return taken;
        }
        _grownUnprepared++;
        return new T[length];
    }
}

using System.Threading.Channels;

namespace ExEsdbGater.Bus;

/// <summary>
/// How a worker on a thread of its own (a receive lane, an in-process hub connection) sleeps when its queue is empty
/// and how writers wake it: only a writer that finds it asleep pays for the wake-up, and none is ever lost.
/// </summary>
/// <remarks>
/// The worker announces its sleep, then looks at the queue once more; a writer writes, then looks for the
/// announcement. A full fence on each side between the two steps means one of them always sees the other.
/// </remarks>
internal sealed class WorkerWakeup
{
    private readonly ManualResetEventSlim _ready = new(false);
    private int _sleeping;

    /// <summary>After a write to the worker's queue: wakes the worker if it sleeps.</summary>
    public void AfterWrite()
    {
        // a fence and a read, not a CompareExchange per write: that would take the line from the worker's core
        // every time
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _sleeping) == 1 && Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1)
        {
            _ready.Set();
        }
    }

    /// <summary>Wakes the worker whatever it is doing, so that it sees that its queue completed or it must stop.</summary>
    public void WakeToStop() => _ready.Set();

    /// <summary>
    /// Called by the worker once its queue is empty: sleeps until a writer wakes it, unless an item arrived, the
    /// queue completed or <paramref name="stop"/> was cancelled meanwhile.
    /// </summary>
    public void Sleep<T>(ChannelReader<T> queue, CancellationToken stop = default)
    {
        _ready.Reset();
        Interlocked.Exchange(ref _sleeping, 1);
        if (!queue.TryPeek(out _) && !queue.Completion.IsCompleted && !stop.IsCancellationRequested)
        {
            _ready.Wait();
        }
        Volatile.Write(ref _sleeping, 0);
    }
}

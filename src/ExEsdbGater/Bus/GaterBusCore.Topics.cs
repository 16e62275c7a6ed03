using System.Collections.Concurrent;

namespace ExEsdbGater.Bus;

// Publishing positions: one gate and sequence per (instance, topic), bounded in number; and the checks that keep a
// handler from waiting, through a gate or a queue, on itself.
internal sealed partial class GaterBusCore
{
    private readonly ConcurrentDictionary<(GaterInstance, string), TopicState> _topics = new();

    // A handler publishing into a full Wait-mode queue that only it can drain — its own, or one whose handler waits
    // (through others) on it — would wait forever: refuse before anything is signed or delivered.
    private void ThrowIfWaitWouldDeadlock(GaterInstance instance, string topic, IGaterSubscription? exclude)
    {
        if (Subscription.RunningHandler is not { } running)
        {
            return;
        }
        foreach (var s in Volatile.Read(ref _subs[(int)instance]))
        {
            if (!ReferenceEquals(s, exclude) && s.WaitsWhenFull && s.Matches(topic) && s.IsFull && Subscription.WaitWouldCycle(s, running))
            {
                throw new GaterReentrancyException(running.Name, s.Name, instance, topic);
            }
        }
    }

    /// <summary>The publishing position of a topic, entered (its gate held); forgotten idle positions are re-created at seq 0.</summary>
    private async ValueTask<TopicState> EnterTopicAsync(GaterInstance instance, string topic, CancellationToken ct)
    {
        while (true)
        {
            var key = (instance, topic);
            if (!_topics.TryGetValue(key, out var state))
            {
                state = _topics.GetOrAdd(key, static _ => new TopicState());
                if (_topics.Count > GaterDefaults.PublisherTopicCapacity)
                {
                    ForgetIdleTopics();
                }
            }
            await EnterGateAsync(state, instance, topic, ct).ConfigureAwait(false);
            if (!state.Forgotten)
            {
                state.LastUsed = Environment.TickCount64;
                return state;
            }
            state.Gate.Release();
        }
    }

    // Outside a handler, simply wait. Inside one, the gate's holder may be waiting for a queue that only this
    // handler drains (directly or through others): re-check that while waiting, and refuse before taking the gate.
    private static async ValueTask EnterGateAsync(TopicState state, GaterInstance instance, string topic, CancellationToken ct)
    {
        if (Subscription.RunningHandler is not { } waiter)
        {
            await state.Gate.WaitAsync(ct).ConfigureAwait(false);
            return;
        }
        try
        {
            while (!await state.Gate.WaitAsync(GateRecheck, ct).ConfigureAwait(false))
            {
                Subscription.EndWait(waiter);
                if (state.BlockedOn is { } blocker && !Subscription.TryBeginWait(waiter, blocker))
                {
                    throw new GaterReentrancyException(waiter.Name, blocker.Name, instance, topic);
                }
            }
        }
        finally
        {
            Subscription.EndWait(waiter);
        }
    }

    private static readonly TimeSpan GateRecheck = TimeSpan.FromMilliseconds(20);

    // Bounded publisher memory: the least recently used quarter of idle topics is forgotten. A forgotten topic
    // starts again at seq 1, which receivers take as a new stream of that topic (never a false gap).
    private void ForgetIdleTopics()
    {
        var idle = _topics.Where(kv => kv.Value.Gate.CurrentCount == 1).OrderBy(kv => kv.Value.LastUsed)
            .Take(_topics.Count - (GaterDefaults.PublisherTopicCapacity * 3 / 4)).ToList();
        foreach (var (key, state) in idle)
        {
            if (state.Gate.Wait(0))
            {
                state.Forgotten = true;
                _topics.TryRemove(new KeyValuePair<(GaterInstance, string), TopicState>(key, state));
                state.Gate.Release();
            }
        }
    }

    /// <summary>Topics whose publishing position this bus remembers (bounded).</summary>
    internal int RememberedTopics => _topics.Count;

    /// <summary>A publisher's position on one (instance, topic): its gate keeps seq order equal to backplane order.</summary>
    private sealed class TopicState
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public long Seq;
        public long LastUsed = Environment.TickCount64;
        public bool Forgotten;
        // the queue the gate's holder waits on, if any (read by handlers waiting for the gate)
        public volatile Subscription? BlockedOn;
    }
}

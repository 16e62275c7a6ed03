using ExEsdbGater.Beam.Distribution;

namespace ExEsdbGater.Beam.Tests.Distribution;

/// <summary>Records a node's PeerStateChanged events and waits for one that matches.</summary>
internal sealed class PeerEvents
{
    private readonly List<PeerStateChangedEventArgs> _all = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PeerEvents(ErlangNode node)
    {
        node.PeerStateChanged += (_, e) =>
        {
            TaskCompletionSource old;
            lock (_gate)
            {
                _all.Add(e);
                old = _changed;
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            old.TrySetResult();
        };
    }

    /// <summary>How many events so far (a mark for <see cref="WaitAsync"/>).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _all.Count;
            }
        }
    }

    public IReadOnlyList<PeerStateChangedEventArgs> Snapshot()
    {
        lock (_gate)
        {
            return [.. _all];
        }
    }

    /// <summary>The first event at or after index <paramref name="from"/> matching; fails after 30 s.</summary>
    public async Task<PeerStateChangedEventArgs> WaitAsync(Func<PeerStateChangedEventArgs, bool> match, int from = 0, int timeoutSeconds = 30)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (var i = from; i < _all.Count; i++)
                {
                    if (match(_all[i]))
                    {
                        return _all[i];
                    }
                }
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no matching peer event; saw: " + string.Join("; ", Snapshot()));
            }
        }
    }
}

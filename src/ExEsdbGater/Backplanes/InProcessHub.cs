using ExEsdbGater.Bus;

namespace ExEsdbGater.Backplanes;

/// <summary>
/// The in-process backplane: a hub that several buses in one process connect to, like a server. Each connection
/// receives on its own dispatch loop, as a network connection would, so publishers never run receivers' work.
/// </summary>
public sealed class InProcessHub
{
    private readonly Lock _lock = new();
    private Sub[] _subs = [];

    private sealed record Sub(Connection Owner, GaterInstance Instance, string Pattern, BackplaneFrameHandler Handler);

    /// <summary>Opens a connection to the hub.</summary>
    public IGaterBackplane Connect() => new Connection(this);

    private async ValueTask PublishAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        foreach (var s in Volatile.Read(ref _subs))
        {
            if (s.Instance == instance && TopicPattern.Matches(s.Pattern, topic))
            {
                await s.Owner.EnqueueAsync(new Dispatch(s, instance, topic, frame), ct).ConfigureAwait(false);
            }
        }
    }

    private void Add(Sub s)
    {
        lock (_lock)
        {
            _subs = [.. _subs, s];
        }
    }

    private void Remove(Sub s)
    {
        lock (_lock)
        {
            _subs = _subs.Where(x => !ReferenceEquals(x, s)).ToArray();
        }
    }

    private void RemoveAll(Connection c)
    {
        lock (_lock)
        {
            _subs = _subs.Where(x => !ReferenceEquals(x.Owner, c)).ToArray();
        }
    }

    private readonly record struct Dispatch(Sub Sub, GaterInstance Instance, string Topic, ReadOnlyMemory<byte> Frame);

    // Each connection dispatches on a thread of its own, as a socket's receive loop would: a loop on the thread pool
    // that is never idle under load holds a pool thread, and the subscribers' handler loops it feeds then wait in
    // the pool's queue for a thread (on two cores they ran in bursts, taking turns with it instead of alongside).
    private sealed class Connection : IGaterBackplane
    {
        private readonly InProcessHub _hub;
        private readonly System.Threading.Channels.Channel<Dispatch> _inbox =
            System.Threading.Channels.Channel.CreateBounded<Dispatch>(new System.Threading.Channels.BoundedChannelOptions(65_536) { SingleReader = true });
        // the loop's only wake-up, by a writer when it sleeps (or is about to)
        private readonly WorkerWakeup _wakeup = new();
        private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _disposed;

        public Connection(InProcessHub hub)
        {
            _hub = hub;
            new Thread(DispatchLoop) { IsBackground = true, Name = "in-process hub connection" }.Start();
        }

        public string Name => "in-process";

        public event Action<BackplaneStateChange>? StateChanged
        {
            add { }
            remove { }
        }

        public ValueTask EnqueueAsync(Dispatch d, CancellationToken ct)
        {
            if (!_inbox.Writer.TryWrite(d))
            {
                return WriteSlowAsync(d, ct);
            }
            _wakeup.AfterWrite();
            return ValueTask.CompletedTask;
        }

        private async ValueTask WriteSlowAsync(Dispatch d, CancellationToken ct)
        {
            try
            {
                await _inbox.Writer.WriteAsync(d, ct).ConfigureAwait(false);
                _wakeup.AfterWrite();
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                // the receiving connection closed: like a network peer that went away
            }
        }

        private void DispatchLoop()
        {
            Subscription.ClearRunningHandler();
            var reader = _inbox.Reader;
            try
            {
                while (true)
                {
                    while (reader.TryRead(out var d))
                    {
                        try
                        {
                            d.Sub.Handler(d.Instance, d.Topic, d.Frame);
                        }
#pragma warning disable CA1031 // one receiver's failure must not stop this connection's dispatch
                        catch (Exception)
#pragma warning restore CA1031
                        {
                        }
                    }
                    if (reader.Completion.IsCompleted)
                    {
                        return;
                    }
                    _wakeup.Sleep(reader);
                }
            }
            finally
            {
                _stopped.TrySetResult();
            }
        }

        public ValueTask PublishAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _hub.PublishAsync(instance, topic, frame, cancellationToken);
        }

        public ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, string topicPattern, BackplaneFrameHandler handler, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentNullException.ThrowIfNull(handler);
            if (!TopicPattern.IsValid(topicPattern))
            {
                throw new ArgumentException($"'{topicPattern}' is not a valid topic pattern.", nameof(topicPattern));
            }
            var sub = new Sub(this, instance, topicPattern, handler);
            _hub.Add(sub);
            return ValueTask.FromResult<IAsyncDisposable>(new Unsubscriber(() => _hub.Remove(sub)));
        }

        public async ValueTask DisposeAsync()
        {
            _disposed = true;
            _hub.RemoveAll(this);
            _inbox.Writer.TryComplete();
            _wakeup.WakeToStop();
            await _stopped.Task.ConfigureAwait(false);
        }
    }

    private sealed class Unsubscriber(Action action) : IAsyncDisposable
    {
        private Action? _action = action;

        public ValueTask DisposeAsync()
        {
            Interlocked.Exchange(ref _action, null)?.Invoke();
            return ValueTask.CompletedTask;
        }
    }
}

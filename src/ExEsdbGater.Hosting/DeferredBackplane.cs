namespace ExEsdbGater.Hosting;

/// <summary>
/// A backplane that connects when the host starts, so <see cref="IGaterBus"/> can be created (and injected) before
/// then. Subscriptions made earlier are attached on connection; a publish made earlier waits for it.
/// </summary>
internal sealed class DeferredBackplane(string name, Func<CancellationToken, Task<IGaterBackplane>> connect) : IGaterBackplane
{
    private readonly TaskCompletionSource<IGaterBackplane> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly List<Pending> _pending = [];
    private IGaterBackplane? _inner;
    private int _state = -1;
    private int _disposed;

    public string Name { get; } = name;

    public event Action<BackplaneStateChange>? StateChanged;

    /// <summary>The last known state; null before the first connection.</summary>
    public BackplaneState? State => Volatile.Read(ref _state) is var s && s >= 0 ? (BackplaneState)s : null;

    public async Task ConnectAsync(CancellationToken ct)
    {
        var inner = await connect(ct).ConfigureAwait(false);
        inner.StateChanged += OnInnerState;
        Pending[] pending;
        lock (_lock)
        {
            _inner = inner;
            pending = [.. _pending];
            _pending.Clear();
        }
        foreach (var p in pending)
        {
            await p.AttachAsync(inner, ct).ConfigureAwait(false);
        }
        OnInnerState(new BackplaneStateChange(BackplaneState.Connected, Name));
        _connected.TrySetResult(inner);
    }

    public async ValueTask PublishAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var inner = Volatile.Read(ref _inner) ?? await _connected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await inner.PublishAsync(instance, topic, frame, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, string topicPattern, BackplaneFrameHandler handler, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!TopicPattern.IsValid(topicPattern))
        {
            throw new ArgumentException($"'{topicPattern}' is not a valid topic or pattern.", nameof(topicPattern));
        }
        IGaterBackplane? inner;
        lock (_lock)
        {
            inner = _inner;
            if (inner is null)
            {
                var p = new Pending(this, instance, topicPattern, handler);
                _pending.Add(p);
                return p;
            }
        }
        return await inner.SubscribeAsync(instance, topicPattern, handler, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _connected.TrySetException(new ObjectDisposedException(nameof(DeferredBackplane)));
        IGaterBackplane? inner;
        lock (_lock)
        {
            inner = _inner;
            _pending.Clear();
        }
        if (inner is not null)
        {
            inner.StateChanged -= OnInnerState;
            await inner.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void OnInnerState(BackplaneStateChange change)
    {
        Volatile.Write(ref _state, (int)(change.State == BackplaneState.Reconnected ? BackplaneState.Connected : change.State));
        StateChanged?.Invoke(change);
    }

    private void Remove(Pending p)
    {
        lock (_lock)
        {
            _pending.Remove(p);
        }
    }

    /// <summary>A subscription made before the connection: attached to the real one when it comes.</summary>
    private sealed class Pending(DeferredBackplane owner, GaterInstance instance, string pattern, BackplaneFrameHandler handler) : IAsyncDisposable
    {
        private IAsyncDisposable? _attached;
        private int _disposed;

        public async Task AttachAsync(IGaterBackplane inner, CancellationToken ct)
        {
            var sub = await inner.SubscribeAsync(instance, pattern, handler, ct).ConfigureAwait(false);
            Volatile.Write(ref _attached, sub);
            if (Volatile.Read(ref _disposed) != 0)
            {
                await sub.DisposeAsync().ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            owner.Remove(this);
            if (Volatile.Read(ref _attached) is { } sub)
            {
                await sub.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

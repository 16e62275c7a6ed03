namespace ExEsdbGater.Bus;

// The subscription table: copy-on-write arrays per instance, read without locks by publish and receive.
internal sealed partial class GaterBusCore
{
    private readonly Lock _subsLock = new();
    private readonly Subscription[][] _subs = Enumerable.Range(0, GaterInstances.All.Count).Select(_ => Array.Empty<Subscription>()).ToArray();
    private readonly IAsyncDisposable?[] _backplaneSubs = new IAsyncDisposable?[GaterInstances.All.Count];
    private readonly SemaphoreSlim _backplaneLock = new(1, 1);

    /// <summary>Deliveries waiting in all subscriber queues (the <c>exesdbgater.queue_depth</c> gauge).</summary>
    internal int QueueDepth => _subs.SelectMany(s => s).Sum(s => s.QueueDepth);

    public async ValueTask<IGaterSubscription> SubscribeAsync(GaterInstance instance, string topicPattern, Func<Delivery, CancellationToken, ValueTask> handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (IsDurable(instance))
        {
            return await SubscribeDurableAsync(instance, topicPattern, handler, options ?? new SubscriptionOptions(), cancellationToken).ConfigureAwait(false);
        }
        var sub = new Subscription(this, instance, topicPattern, options ?? new SubscriptionOptions(), handler);
        await AddAsync(sub, cancellationToken).ConfigureAwait(false);
        return sub;
    }

    public async ValueTask<IGaterStream> OpenStreamAsync(GaterInstance instance, string topicPattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (IsDurable(instance))
        {
            return await SubscribeDurableAsync(instance, topicPattern, null, options ?? new SubscriptionOptions(), cancellationToken).ConfigureAwait(false);
        }
        var sub = new Subscription(this, instance, topicPattern, options ?? new SubscriptionOptions(), handler: null);
        await AddAsync(sub, cancellationToken).ConfigureAwait(false);
        return sub;
    }

    private async ValueTask AddAsync(Subscription sub, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_backplane is not null && Volatile.Read(ref _backplaneSubs[(int)sub.Instance]) is null)
        {
            await _backplaneLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                // One backplane subscription per instance: overlapping patterns never receive a frame twice.
                _backplaneSubs[(int)sub.Instance] ??= await _backplane.SubscribeAsync(sub.Instance, "*", _backplaneHandler, ct).ConfigureAwait(false);
            }
            finally
            {
                _backplaneLock.Release();
            }
        }
        if (_links.Length > 0)
        {
            await _backplaneLock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await SubscribeLinksAsync(sub.Instance, ct).ConfigureAwait(false);
            }
            finally
            {
                _backplaneLock.Release();
            }
        }
        lock (_subsLock)
        {
            _subs[(int)sub.Instance] = [.. _subs[(int)sub.Instance], sub];
        }
        sub.Start();
    }

    internal void Remove(Subscription sub)
    {
        lock (_subsLock)
        {
            _subs[(int)sub.Instance] = _subs[(int)sub.Instance].Where(s => !ReferenceEquals(s, sub)).ToArray();
        }
    }

    private async ValueTask DisposeBackplaneSubscriptionsAsync()
    {
        foreach (var s in _backplaneSubs)
        {
            if (s is not null)
            {
                await s.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask DisposeSubscriptionsAsync()
    {
        foreach (var s in _subs.SelectMany(x => x).ToArray())
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }
    }
}

namespace ExEsdbGater;

/// <summary>Creates buses, and the typed helpers every bus has.</summary>
public static class GaterBus
{
    /// <summary>Creates a bus. Without a backplane it lives inside this process.</summary>
    /// <remarks>
    /// Without <see cref="GaterBusOptions.Keys"/> the keys come from <c>SECRET_KEY_BASE</c>; if it is not set, this
    /// fails here rather than at the first broadcast. A bus meant to have no keys says so with
    /// <c>Keys = KeyRing.Empty</c> (it signs nothing, rejects every frame and delivers only locally) or
    /// <c>KeyRing.UnsignedDevelopment</c>.
    /// </remarks>
    /// <exception cref="GaterConfigurationException">An option, the node name or a secret is invalid, or no secret is configured; the message names it.</exception>
    public static IGaterBus Create(GaterBusOptions? options = null)
    {
        var checkedOptions = OptionsCheck.Bus(options ?? new GaterBusOptions());
        if (checkedOptions.Keys is null)
        {
            var keys = KeyRing.Create();
            checkedOptions = keys.HasKeys ? checkedOptions with { Keys = keys }
                : throw new GaterConfigurationException($"No secret is configured: set {KeyRing.SecretVariable} (32+ bytes, the same on every node; 'gater keygen' makes one) or GaterBusOptions.Keys (KeyRing.Empty for a bus that only delivers locally).");
        }
        return new GaterBusCore(checkedOptions);
    }

    /// <summary>Subscribes a typed handler: only messages of <typeparamref name="T"/> on its instance reach it.</summary>
    public static ValueTask<IGaterSubscription> SubscribeAsync<T>(this IGaterBus bus, string topicPattern, Func<T, Envelope, CancellationToken, ValueTask> handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
        where T : GaterMessage
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(handler);
        return bus.SubscribeAsync(InstanceOf<T>(), topicPattern, (d, ct) => d.Message is T m ? handler(m, d.Envelope!, ct) : ValueTask.CompletedTask, options, cancellationToken);
    }

    /// <summary>Subscribes a typed synchronous handler.</summary>
    public static ValueTask<IGaterSubscription> SubscribeAsync<T>(this IGaterBus bus, string topicPattern, Action<T, Envelope> handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
        where T : GaterMessage
    {
        ArgumentNullException.ThrowIfNull(handler);
        return bus.SubscribeAsync<T>(topicPattern, (m, e, _) =>
        {
            handler(m, e);
            return ValueTask.CompletedTask;
        }, options, cancellationToken);
    }

    /// <summary>Subscribes a synchronous handler to every delivery on a topic or pattern.</summary>
    public static ValueTask<IGaterSubscription> SubscribeAsync(this IGaterBus bus, GaterInstance instance, string topicPattern, Action<Delivery> handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(handler);
        return bus.SubscribeAsync(instance, topicPattern, (d, _) =>
        {
            handler(d);
            return ValueTask.CompletedTask;
        }, options, cancellationToken);
    }

    /// <summary>Reads a stream's deliveries as an async sequence.</summary>
    public static IAsyncEnumerable<Delivery> ReadAllAsync(this IGaterStream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.Reader.ReadAllAsync(cancellationToken);
    }

    /// <summary>The instance a payload type travels on.</summary>
    public static GaterInstance InstanceOf<T>()
        where T : GaterMessage
        => typeof(T) == typeof(ApplicationEvent) ? GaterInstance.Events
            : MessageCatalog.Find(typeof(T))?.Instance ?? throw new ArgumentException($"{typeof(T).Name} is not a catalog payload type; subscribe by instance instead.");
}

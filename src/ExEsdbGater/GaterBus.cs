namespace ExEsdbGater;

/// <summary>Creates buses, and the typed helpers every bus has.</summary>
public static class GaterBus
{
    /// <summary>Creates a bus. Without a backplane it lives inside this process.</summary>
    /// <exception cref="GaterConfigurationException">An option, the node name or a secret is invalid; the message names it.</exception>
    public static IGaterBus Create(GaterBusOptions? options = null) => new GaterBusCore(OptionsCheck.Bus(options ?? new GaterBusOptions()));

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

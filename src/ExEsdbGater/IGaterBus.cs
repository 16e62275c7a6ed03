namespace ExEsdbGater;

/// <summary>The typed, signed message bus of one node: ten instances, local subscribers, and a backplane to the others.</summary>
/// <remarks>
/// Events (<see cref="FrameRejected"/>, <see cref="GapDetected"/>, <see cref="SlowConsumerDetected"/>,
/// <see cref="HandlerFailed"/>, <see cref="BackplaneStateChanged"/>) are queued and raised on the bus's own event
/// task, one at a time, in the order they happened — never on the receiving or publishing thread and never under
/// an internal lock. An observer that blocks delays only later events, not delivery; an observer that throws is
/// logged and harms no one. If observers fall <see cref="GaterBusOptions.EventQueueCapacity"/> events behind, the
/// oldest are dropped and counted in <see cref="BusStatistics.EventsDropped"/>.
/// </remarks>
public interface IGaterBus : IAsyncDisposable
{
    /// <summary>This node's name: the one node identity of the bus, in every envelope and in node fields it binds.</summary>
    string Node { get; }

    /// <summary>
    /// This bus's message context: its <see cref="Node"/> and its clock. Pass it to factories
    /// (<c>messageContext: bus.Context</c>) to build messages for this bus without consulting the process default.
    /// </summary>
    MessageContext Context { get; }

    /// <summary>This bus's epoch (Unix ms at start, unique in the process).</summary>
    long Epoch { get; }

    /// <summary>The verifier shared by all subscribers of this bus.</summary>
    FrameVerifier Verifier { get; }

    /// <summary>Counts since start.</summary>
    BusStatistics Statistics { get; }

    /// <summary>Raised for every frame rejected by this bus.</summary>
    event Action<FrameRejection>? FrameRejected;

    /// <summary>Raised when sequence numbers show lost frames.</summary>
    event Action<SequenceGap>? GapDetected;

    /// <summary>Raised when retention trimmed entries of a durable instance before a subscription read them (exact counts).</summary>
    event Action<StreamGap>? StreamGapDetected;

    /// <summary>Raised when a subscriber's full queue drops an item.</summary>
    event Action<SlowConsumer>? SlowConsumerDetected;

    /// <summary>Raised when a handler throws.</summary>
    event Action<HandlerFailure>? HandlerFailed;

    /// <summary>Raised when the backplane connection changes.</summary>
    event Action<BackplaneStateChange>? BackplaneStateChanged;

    /// <summary>Signs the message and delivers it to every matching subscriber here and, through the backplane, everywhere.</summary>
    /// <remarks>
    /// Node fields that the message's factory filled from <see cref="MessageContext.Default"/> (no node and no
    /// context given) are set to <see cref="Node"/> first: what is signed and delivered is that copy
    /// (<see cref="PublishReceipt.Message"/> and deliveries carry it). So are they by <see cref="LocalBroadcastAsync"/>.
    /// </remarks>
    /// <exception cref="GaterValidationException">The message fails its validator.</exception>
    /// <exception cref="GaterSecurityException">No secret is configured.</exception>
    ValueTask<PublishReceipt> BroadcastAsync(string topic, GaterMessage message, CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="BroadcastAsync"/>, but not back to <paramref name="from"/>.</summary>
    ValueTask<PublishReceipt> BroadcastFromAsync(IGaterSubscription from, string topic, GaterMessage message, CancellationToken cancellationToken = default);

    /// <summary>Delivers to matching subscribers in this process only; no frame is made (the envelope's seq is 0).</summary>
    ValueTask<PublishReceipt> LocalBroadcastAsync(string topic, GaterMessage message, CancellationToken cancellationToken = default);

    /// <summary>Subscribes a handler to a topic or pattern on an instance.</summary>
    ValueTask<IGaterSubscription> SubscribeAsync(GaterInstance instance, string topicPattern, Func<Delivery, CancellationToken, ValueTask> handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Subscribes as a channel / async stream.</summary>
    ValueTask<IGaterStream> OpenStreamAsync(GaterInstance instance, string topicPattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default);
}

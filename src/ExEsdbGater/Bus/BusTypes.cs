using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater;

/// <summary>What a subscriber's queue does when it is full.</summary>
public enum QueueFullMode
{
    /// <summary>The publisher waits for room (backpressure). Remote frames wait in the bus's inbound queue.</summary>
    Wait,
    /// <summary>The oldest queued message is dropped to make room; counted.</summary>
    DropOldest,
    /// <summary>The incoming message is dropped; counted.</summary>
    DropNewest,
}

/// <summary>Per-subscription settings. Defaults: capacity 1,024, <see cref="QueueFullMode.Wait"/>, no rejections.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>The bounded queue's capacity. Default 1,024.</summary>
    public int Capacity { get; init; } = 1024;

    /// <summary>What happens when the queue is full. Default <see cref="QueueFullMode.Wait"/>.</summary>
    public QueueFullMode FullMode { get; init; } = QueueFullMode.Wait;

    /// <summary>Also deliver rejected frames (with their reasons) that arrived on matching topics. Default false.</summary>
    public bool IncludeRejections { get; init; }

    /// <summary>A name for logs and events. Default: the pattern.</summary>
    public string? Name { get; init; }
}

/// <summary>Bus settings. Defaults: this node from <see cref="NodeName.Resolve"/>, keys from <see cref="KeyRing.Create"/>, no backplane.</summary>
public sealed record GaterBusOptions
{
    /// <summary>This node's name; null resolves it from <c>EXG_NODE_NAME</c> or the process and host.</summary>
    public string? NodeName { get; init; }

    /// <summary>The key ring; null builds it from the environment (<c>SECRET_KEY_BASE</c>).</summary>
    public KeyRing? Keys { get; init; }

    /// <summary>The transport to other processes; null keeps the bus inside this process.</summary>
    public IGaterBackplane? Backplane { get; init; }

    /// <summary>Receiver checks (max age, skew, replay memory, clock).</summary>
    public VerifierOptions Verifier { get; init; } = new();

    /// <summary>Frames received from the backplane and not yet verified; beyond it they are dropped and counted. Default 65,536.</summary>
    public int InboundCapacity { get; init; } = 65_536;

    /// <summary>Where the bus logs. Default: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>One item delivered to a subscriber: a verified message, or (when asked for) a rejected frame.</summary>
public sealed class Delivery
{
    internal Delivery(Envelope envelope, GaterMessage message, bool local)
    {
        Envelope = envelope;
        Message = message;
        IsLocal = local;
    }

    internal Delivery(FrameRejection rejection)
    {
        Rejection = rejection;
        Envelope = rejection.Envelope;
    }

    /// <summary>The envelope; null only for a rejection whose body could not be read.</summary>
    public Envelope? Envelope { get; }

    /// <summary>The verified typed message, or null for a rejection.</summary>
    public GaterMessage? Message { get; }

    /// <summary>The rejection, when this delivery reports a rejected frame.</summary>
    public FrameRejection? Rejection { get; }

    /// <summary>True when the message was published by this bus.</summary>
    public bool IsLocal { get; }

    /// <inheritdoc />
    public override string ToString() => Rejection is { } r ? $"rejected {r.Reason.WireName()} on {r.Instance.WireName()} {r.Topic}" : $"{Envelope!.Type} from {Envelope.Node} on {Envelope.Topic}";
}

/// <summary>A live subscription; dispose it to unsubscribe.</summary>
public interface IGaterSubscription : IAsyncDisposable, IDisposable
{
    /// <summary>The instance subscribed to.</summary>
    GaterInstance Instance { get; }

    /// <summary>The topic or pattern subscribed to.</summary>
    string Pattern { get; }

    /// <summary>The subscription's name (the pattern unless set).</summary>
    string Name { get; }

    /// <summary>Items enqueued for this subscriber so far.</summary>
    long Enqueued { get; }

    /// <summary>Items dropped because the queue was full.</summary>
    long Dropped { get; }

    /// <summary>Items waiting in the queue now.</summary>
    int QueueDepth { get; }
}

/// <summary>A subscription consumed as a channel or an async stream.</summary>
public interface IGaterStream : IGaterSubscription
{
    /// <summary>The deliveries.</summary>
    ChannelReader<Delivery> Reader { get; }
}

/// <summary>What a broadcast did.</summary>
/// <param name="Envelope">The envelope of the frame.</param>
/// <param name="LocalDeliveries">Subscribers in this process that received it.</param>
/// <param name="FrameBytes">The frame size (0 for a local-only broadcast, which makes no frame).</param>
public readonly record struct PublishReceipt(Envelope Envelope, int LocalDeliveries, int FrameBytes);

/// <summary>A gap in a publisher's sequence: frames lost between two received ones.</summary>
/// <param name="Node">The publisher.</param>
/// <param name="Epoch">The publisher's epoch.</param>
/// <param name="Instance">The instance.</param>
/// <param name="Topic">The topic.</param>
/// <param name="Expected">The seq that should have come next.</param>
/// <param name="Received">The seq that came.</param>
public sealed record SequenceGap(string Node, long Epoch, GaterInstance Instance, string Topic, long Expected, long Received)
{
    /// <summary>How many frames were lost.</summary>
    public long Missing => Received - Expected;
}

/// <summary>A subscriber too slow for its traffic: its queue was full and an item was dropped.</summary>
/// <param name="Subscription">The subscription's name.</param>
/// <param name="Dropped">Items dropped so far.</param>
public sealed record SlowConsumer(string Subscription, long Dropped);

/// <summary>A subscriber's handler threw; other subscribers and the publisher were not affected.</summary>
/// <param name="Subscription">The subscription's name.</param>
/// <param name="Delivery">What was being handled.</param>
/// <param name="Exception">What it threw.</param>
public sealed record HandlerFailure(string Subscription, Delivery Delivery, Exception Exception);

/// <summary>Counts of a bus since it started.</summary>
/// <param name="Published">Broadcasts made.</param>
/// <param name="Delivered">Items enqueued to local subscribers.</param>
/// <param name="Received">Frames received from the backplane.</param>
/// <param name="Verified">Frames from other publishers accepted.</param>
/// <param name="Rejected">Frames rejected, all reasons.</param>
/// <param name="Dropped">Items dropped by full subscriber queues.</param>
/// <param name="InboundDropped">Frames dropped because the inbound queue was full.</param>
/// <param name="Gaps">Frames missing according to sequence numbers.</param>
/// <param name="HandlerErrors">Handler exceptions.</param>
/// <param name="Echoes">This bus's own frames coming back from the backplane (ignored).</param>
public readonly record struct BusStatistics(long Published, long Delivered, long Received, long Verified, long Rejected, long Dropped, long InboundDropped, long Gaps, long HandlerErrors, long Echoes);

/// <summary>The typed, signed message bus of one node: ten instances, local subscribers, and a backplane to the others.</summary>
public interface IGaterBus : IAsyncDisposable
{
    /// <summary>This node's name.</summary>
    string Node { get; }

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

    /// <summary>Raised when a subscriber's full queue drops an item.</summary>
    event Action<SlowConsumer>? SlowConsumerDetected;

    /// <summary>Raised when a handler throws.</summary>
    event Action<HandlerFailure>? HandlerFailed;

    /// <summary>Raised when the backplane connection changes.</summary>
    event Action<BackplaneStateChange>? BackplaneStateChanged;

    /// <summary>Signs the message and delivers it to every matching subscriber here and, through the backplane, everywhere.</summary>
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

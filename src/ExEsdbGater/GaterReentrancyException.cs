namespace ExEsdbGater;

/// <summary>
/// Thrown by a broadcast made from inside a subscription's handler when a subscription that would receive the message
/// has a full queue that makes publishers wait (<see cref="QueueFullMode.Wait"/>), and only the publishing handler
/// could make room: the queue is its own, or that subscription's handler is itself waiting (directly or through
/// others) on the publishing handler. Waiting would never end. Nothing was signed, delivered or sent.
/// </summary>
/// <remarks>
/// Publish after the handler returns (hand the work to another task), use <see cref="IGaterBus.BroadcastFromAsync"/>
/// to skip the handler's own subscription, give the subscriptions a larger <see cref="SubscriptionOptions.Capacity"/>,
/// or let one of them drop (<see cref="QueueFullMode.DropOldest"/>/<see cref="QueueFullMode.DropNewest"/>). In the
/// rare case where the cycle only closes during delivery (other publishers filled a queue meanwhile), that one
/// delivery is dropped instead, counted and reported through <see cref="IGaterBus.SlowConsumerDetected"/>.
/// </remarks>
public sealed class GaterReentrancyException : InvalidOperationException
{
    /// <summary>Creates the exception for the publishing handler's subscription, the full one, the instance and topic.</summary>
    public GaterReentrancyException(string publishingSubscription, string fullSubscription, GaterInstance instance, string topic)
        : base(string.Equals(publishingSubscription, fullSubscription, StringComparison.Ordinal)
            ? $"A handler of subscription '{publishingSubscription}' broadcast on {instance.WireName()} '{topic}', which its own full queue would receive: waiting for room would never end. Publish after the handler returns, use BroadcastFromAsync, or give the subscription more capacity or a drop mode."
            : $"A handler of subscription '{publishingSubscription}' broadcast on {instance.WireName()} '{topic}' into the full queue of '{fullSubscription}', whose handler waits on it: waiting for room would never end. Publish after the handler returns, or give one of them more capacity or a drop mode.")
    {
        Subscription = publishingSubscription;
        FullSubscription = fullSubscription;
    }

    /// <summary>Creates the exception.</summary>
    public GaterReentrancyException() { }

    /// <summary>Creates the exception with a message.</summary>
    public GaterReentrancyException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public GaterReentrancyException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The subscription whose handler made the broadcast.</summary>
    public string? Subscription { get; }

    /// <summary>The full subscription the broadcast would have waited on.</summary>
    public string? FullSubscription { get; }
}

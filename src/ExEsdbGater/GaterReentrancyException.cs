namespace ExEsdbGater;

/// <summary>
/// Thrown by a broadcast made from inside a subscription's handler when that subscription would receive the message,
/// its queue is full and it waits for room (<see cref="QueueFullMode.Wait"/>): only the handler itself can make room,
/// so the broadcast would wait forever. Nothing was signed, delivered or sent.
/// </summary>
/// <remarks>
/// Publish after the handler returns (hand the work to another task), use <see cref="IGaterBus.BroadcastFromAsync"/>
/// to skip the handler's own subscription, give it a larger <see cref="SubscriptionOptions.Capacity"/>, or let it
/// drop (<see cref="QueueFullMode.DropOldest"/>/<see cref="QueueFullMode.DropNewest"/>).
/// </remarks>
public sealed class GaterReentrancyException : InvalidOperationException
{
    /// <summary>Creates the exception for a subscription, instance and topic.</summary>
    public GaterReentrancyException(string subscription, GaterInstance instance, string topic)
        : base($"A handler of subscription '{subscription}' broadcast on {instance.WireName()} '{topic}', which its own full queue would receive: waiting for room would never end. Publish after the handler returns, use BroadcastFromAsync, or give the subscription more capacity or a drop mode.")
    {
        Subscription = subscription;
    }

    /// <summary>Creates the exception.</summary>
    public GaterReentrancyException() { }

    /// <summary>Creates the exception with a message.</summary>
    public GaterReentrancyException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public GaterReentrancyException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The subscription whose handler made the broadcast.</summary>
    public string? Subscription { get; }
}

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

namespace ExEsdbGater;

/// <summary>What a subscriber's queue does when it is full.</summary>
public enum QueueFullMode
{
    /// <summary>
    /// The publisher waits for room (backpressure). Remote frames wait in the bus's inbound queue. A handler publishing
    /// into a full queue that only it can drain (its own, or through others' handlers) is refused with
    /// <see cref="GaterReentrancyException"/> (a cycle that closes only during delivery drops that delivery, counted);
    /// to tell its own flows from others', each of its calls allocates a mark (about 100 bytes), which the drop modes,
    /// on whose queues nobody ever waits, do not need.
    /// </summary>
    Wait,
    /// <summary>The oldest queued message is dropped to make room; counted.</summary>
    DropOldest,
    /// <summary>The incoming message is dropped; counted.</summary>
    DropNewest,
}

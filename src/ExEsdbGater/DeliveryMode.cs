namespace ExEsdbGater;

/// <summary>How an instance's messages travel between processes.</summary>
public enum DeliveryMode
{
    /// <summary>Pub/sub through the backplane: at-most-once, nothing kept (heartbeats, metrics).</summary>
    Volatile,

    /// <summary>
    /// Appended to a stream of the instance through <see cref="GaterBusOptions.DurableTransport"/>: kept under its
    /// retention, read by consumer groups at-least-once, and readable as history. See docs/durability.md.
    /// </summary>
    Durable,
}

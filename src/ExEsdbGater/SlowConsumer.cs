namespace ExEsdbGater;

/// <summary>A subscriber too slow for its traffic: its queue was full and an item was dropped.</summary>
/// <param name="Subscription">The subscription's name.</param>
/// <param name="Dropped">Items dropped so far.</param>
public sealed record SlowConsumer(string Subscription, long Dropped);

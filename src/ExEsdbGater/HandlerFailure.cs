namespace ExEsdbGater;

/// <summary>A subscriber's handler threw; other subscribers and the publisher were not affected.</summary>
/// <param name="Subscription">The subscription's name.</param>
/// <param name="Delivery">What was being handled.</param>
/// <param name="Exception">What it threw.</param>
public sealed record HandlerFailure(string Subscription, Delivery Delivery, Exception Exception);

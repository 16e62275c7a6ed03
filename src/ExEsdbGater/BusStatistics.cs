namespace ExEsdbGater;

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
/// <param name="EventsDropped">Events dropped because observers fell too far behind.</param>
public readonly record struct BusStatistics(long Published, long Delivered, long Received, long Verified, long Rejected, long Dropped, long InboundDropped, long Gaps, long HandlerErrors, long Echoes, long EventsDropped);

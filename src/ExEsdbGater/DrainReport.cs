namespace ExEsdbGater;

/// <summary>What <see cref="GaterBusLifetime.DrainAsync"/> did with the deliveries still queued when it was called.</summary>
/// <param name="Completed">True when every handler queue and the inbound queue emptied before the deadline.</param>
/// <param name="Abandoned">
/// Deliveries left undelivered when the deadline came (or left unread in streams); each is counted in
/// <see cref="BusStatistics.Dropped"/> or <see cref="BusStatistics.InboundDropped"/> and in <c>exesdbgater.dropped{queue=shutdown}</c>.
/// </param>
public readonly record struct DrainReport(bool Completed, long Abandoned);

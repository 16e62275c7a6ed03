namespace ExEsdbGater;

/// <summary>What is waiting in a bus right now.</summary>
/// <param name="Inbound">Verified deliveries from other nodes waiting behind a full Wait-mode subscriber.</param>
/// <param name="InboundBytes">The frame bytes of those deliveries.</param>
/// <param name="Subscribers">Deliveries waiting in subscriber queues.</param>
public readonly record struct BusBacklog(int Inbound, long InboundBytes, int Subscribers);

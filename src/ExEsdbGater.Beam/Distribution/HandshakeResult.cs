namespace ExEsdbGater.Beam.Distribution;

/// <summary>What a finished handshake learned about the peer.</summary>
/// <param name="PeerName">The peer's full node name.</param>
/// <param name="PeerFlags">The peer's distribution flags.</param>
/// <param name="PeerCreation">The peer's creation.</param>
/// <param name="ReplacesExisting">The peer answered 'alive' with true: an older connection to it is stale.</param>
internal sealed record HandshakeResult(string PeerName, ulong PeerFlags, uint PeerCreation, bool ReplacesExisting);

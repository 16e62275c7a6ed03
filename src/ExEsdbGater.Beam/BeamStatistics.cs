namespace ExEsdbGater.Beam;

/// <summary>Counts of a <see cref="BeamLink"/> since it started.</summary>
/// <param name="Received">Messages received from BEAM nodes on subscribed instances.</param>
/// <param name="Accepted">Received messages whose signature and payload checked out, handed to the bus.</param>
/// <param name="Rejected">Received messages refused (bad signature, unsigned, malformed, unknown type, bad payload).</param>
/// <param name="Sent">Messages sent to BEAM group members (one per member).</param>
/// <param name="SendFailures">Sends that failed (the member's node unreachable).</param>
/// <param name="ConnectedPeers">BEAM nodes connected now.</param>
/// <param name="Reconnects">Connections re-established after a loss.</param>
/// <param name="MalformedFrames">Distribution frames that could not be decoded (dropped).</param>
public readonly record struct BeamStatistics(long Received, long Accepted, long Rejected, long Sent, long SendFailures, int ConnectedPeers, long Reconnects, long MalformedFrames);

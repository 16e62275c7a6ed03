namespace ExEsdbGater.Beam.Distribution;

/// <summary>What happened to a peer connection.</summary>
internal enum PeerState
{
    /// <summary>Handshake done (either direction).</summary>
    Connected,

    /// <summary>An established connection ended (reason given).</summary>
    Disconnected,

    /// <summary>A connect attempt (ours, or the peer's to us) failed (reason and error given).</summary>
    ConnectFailed,
}

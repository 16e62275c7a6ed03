namespace ExEsdbGater.Beam.Distribution;

/// <summary>A peer's state change. <see cref="Reason"/> is set for Disconnected and ConnectFailed.</summary>
internal sealed class PeerStateChangedEventArgs : EventArgs
{
    public PeerStateChangedEventArgs(string peer, PeerState state, string? reason, DistributionError? error)
    {
        Peer = peer;
        State = state;
        Reason = reason;
        Error = error;
    }

    public string Peer { get; }

    public PeerState State { get; }

    public string? Reason { get; }

    /// <summary>The failure kind for ConnectFailed (null for Connected/Disconnected).</summary>
    public DistributionError? Error { get; }

    public override string ToString() => $"{Peer} {State}" + (Reason is null ? "" : ": " + Reason);
}

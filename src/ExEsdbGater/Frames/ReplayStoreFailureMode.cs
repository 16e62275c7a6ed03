namespace ExEsdbGater.Frames;

/// <summary>What the verifier does with a frame when its <see cref="IReplayStore"/> cannot answer.</summary>
public enum ReplayStoreFailureMode
{
    /// <summary>
    /// Fail closed: reject the frame as <c>replay_store_unavailable</c> (<see cref="RejectReason.ReplayStoreUnavailable"/>).
    /// No replay can slip through while the store is down; honest messages are lost (counted, raised) meanwhile.
    /// </summary>
    Reject,

    /// <summary>
    /// Degrade: accept the frame with the in-memory replay memory alone, count the failure
    /// (<see cref="FrameVerifier.ReplayStoreFailures"/>) and log a warning. Messages keep flowing; a frame captured
    /// before this process started can be replayed while the store is down.
    /// </summary>
    Accept,
}

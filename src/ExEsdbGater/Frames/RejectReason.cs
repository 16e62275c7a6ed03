namespace ExEsdbGater.Frames;

/// <summary>Why a frame was rejected (wire-format section 5), in check order.</summary>
public enum RejectReason
{
    /// <summary><c>too_large</c>: over 1 MiB.</summary>
    TooLarge,
    /// <summary><c>invalid_format</c>: not a well-formed frame or body.</summary>
    InvalidFormat,
    /// <summary><c>unsecured_message_rejected</c>: unsigned, and the receiver has keys.</summary>
    UnsecuredMessageRejected,
    /// <summary><c>no_secret_configured</c>: the receiver has no keys (and does not allow unsigned).</summary>
    NoSecretConfigured,
    /// <summary><c>unknown_key</c>: the kid is not in the key ring.</summary>
    UnknownKey,
    /// <summary><c>invalid_signature</c>: the signature does not match.</summary>
    InvalidSignature,
    /// <summary><c>topic_mismatch</c>: signed for another instance or topic.</summary>
    TopicMismatch,
    /// <summary><c>expired</c>: older than the max age.</summary>
    Expired,
    /// <summary><c>from_future</c>: newer than now plus the max skew.</summary>
    FromFuture,
    /// <summary><c>replayed</c>: (node, id) already accepted.</summary>
    Replayed,
    /// <summary><c>unknown_type</c>: the type is not in the instance's catalog.</summary>
    UnknownType,
    /// <summary><c>invalid_payload</c>: the payload breaks its type.</summary>
    InvalidPayload,
    /// <summary>
    /// <c>replay_store_unavailable</c>: implementation-local, not in the shared wire format. The shared replay store
    /// (<see cref="VerifierOptions.ReplayStore"/>) could not answer and <see cref="VerifierOptions.ReplayStoreFailure"/>
    /// is <see cref="ReplayStoreFailureMode.Reject"/>.
    /// </summary>
    ReplayStoreUnavailable,
}

using System.Text.Json;

namespace ExEsdbGater;

/// <summary>The frame members around a payload (wire-format section 3).</summary>
/// <param name="Instance">The instance the frame was published on.</param>
/// <param name="Topic">The topic the frame was published on.</param>
/// <param name="Type">The message tag.</param>
/// <param name="Id">The message id, unique per publishing node.</param>
/// <param name="Node">The publishing node.</param>
/// <param name="Epoch">The publisher's epoch (changes on restart).</param>
/// <param name="Seq">The sequence number within (node, epoch, instance, topic).</param>
/// <param name="Timestamp">Issue time, Unix milliseconds.</param>
public sealed record Envelope(GaterInstance Instance, string Topic, string Type, string Id, string Node, long Epoch, long Seq, long Timestamp);

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
}

/// <summary>Wire names of <see cref="RejectReason"/>.</summary>
public static class RejectReasons
{
    private static readonly string[] Names = Enum.GetValues<RejectReason>().Select(r => JsonNamingPolicy.SnakeCaseLower.ConvertName(r.ToString())).ToArray();

    /// <summary>Every reason, in check order.</summary>
    public static IReadOnlyList<RejectReason> All { get; } = Enum.GetValues<RejectReason>();

    /// <summary>The wire name, e.g. <c>invalid_signature</c>.</summary>
    public static string WireName(this RejectReason reason) => Names[(int)reason];

    /// <summary>Parses a wire name.</summary>
    public static bool TryParse(string? name, out RejectReason reason)
    {
        var i = name is null ? -1 : Array.IndexOf(Names, name);
        reason = i >= 0 ? (RejectReason)i : default;
        return i >= 0;
    }
}

/// <summary>The outcome of verifying one frame: the envelope and typed message, or the reason it was rejected.</summary>
public readonly record struct VerifyResult
{
    internal VerifyResult(Envelope envelope, GaterMessage message)
    {
        Envelope = envelope;
        Message = message;
    }

    internal VerifyResult(RejectReason reason, string? detail, Envelope? envelope = null)
    {
        Reason = reason;
        Detail = detail;
        Envelope = envelope;
    }

    /// <summary>True when the frame was accepted.</summary>
    public bool IsOk => Message is not null;

    /// <summary>The rejection reason, or null when accepted.</summary>
    public RejectReason? Reason { get; }

    /// <summary>A short explanation of a rejection, for logs.</summary>
    public string? Detail { get; }

    /// <summary>The envelope (set when accepted, and for rejections found after the body was read).</summary>
    public Envelope? Envelope { get; }

    /// <summary>The typed message when accepted.</summary>
    public GaterMessage? Message { get; }
}

/// <summary>A rejected frame, for forensics: why, where it arrived, and its bytes.</summary>
/// <param name="Reason">Why it was rejected.</param>
/// <param name="Detail">A short explanation.</param>
/// <param name="Instance">Where it arrived.</param>
/// <param name="Topic">Where it arrived.</param>
/// <param name="Frame">The frame bytes as received.</param>
/// <param name="Envelope">The envelope, when the body could be read.</param>
public sealed record FrameRejection(RejectReason Reason, string? Detail, GaterInstance Instance, string Topic, ReadOnlyMemory<byte> Frame, Envelope? Envelope);

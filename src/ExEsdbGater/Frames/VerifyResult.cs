namespace ExEsdbGater.Frames;

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

namespace ExEsdbGater.Frames;

/// <summary>A rejected frame, for forensics: why, where it arrived, and (the start of) its bytes.</summary>
/// <remarks>
/// Forensic copies are bounded so that a flood of large forged frames cannot grow memory: <see cref="Frame"/> holds at
/// most <see cref="VerifierOptions.RejectedFrameCaptureBytes"/> bytes, and beyond
/// <see cref="VerifierOptions.RejectedFrameCapturesPerSecond"/> it is empty; <see cref="FrameLength"/> is always the
/// length that arrived.
/// </remarks>
/// <param name="Reason">Why it was rejected.</param>
/// <param name="Detail">A short explanation.</param>
/// <param name="Instance">Where it arrived.</param>
/// <param name="Topic">Where it arrived.</param>
/// <param name="Frame">The frame bytes as received, capped (see remarks).</param>
/// <param name="Envelope">The envelope, when the body could be read.</param>
public sealed record FrameRejection(RejectReason Reason, string? Detail, GaterInstance Instance, string Topic, ReadOnlyMemory<byte> Frame, Envelope? Envelope)
{
    /// <summary>The length of the frame as it arrived; more than <see cref="Frame"/>'s when the copy was capped.</summary>
    public int FrameLength { get; init; } = Frame.Length;

    /// <summary>True when <see cref="Frame"/> holds less than the whole frame.</summary>
    public bool IsFrameTruncated => Frame.Length < FrameLength;
}

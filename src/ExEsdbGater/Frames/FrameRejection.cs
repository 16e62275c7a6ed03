namespace ExEsdbGater.Frames;

/// <summary>A rejected frame, for forensics: why, where it arrived, and its bytes.</summary>
/// <param name="Reason">Why it was rejected.</param>
/// <param name="Detail">A short explanation.</param>
/// <param name="Instance">Where it arrived.</param>
/// <param name="Topic">Where it arrived.</param>
/// <param name="Frame">The frame bytes as received.</param>
/// <param name="Envelope">The envelope, when the body could be read.</param>
public sealed record FrameRejection(RejectReason Reason, string? Detail, GaterInstance Instance, string Topic, ReadOnlyMemory<byte> Frame, Envelope? Envelope);

namespace ExEsdbGater.Backplanes;

/// <summary>Where a link hands what it received: accepted messages and rejections. Safe to call from any thread.</summary>
public interface IGaterLinkSink
{
    /// <summary>
    /// A message the link accepted (checked in its cluster's own way). Its envelope names the sender and sets
    /// <see cref="Envelope.Origin"/> to the link's name.
    /// </summary>
    void Accept(Envelope envelope, GaterMessage message);

    /// <summary>A message the link refused: counted, logged and reported by the bus as a frame rejection is.</summary>
    void Reject(FrameRejection rejection);
}

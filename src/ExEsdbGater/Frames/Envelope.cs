namespace ExEsdbGater.Frames;

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

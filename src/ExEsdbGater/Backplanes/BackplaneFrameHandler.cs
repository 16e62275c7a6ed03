namespace ExEsdbGater.Backplanes;

/// <summary>Receives frames from a backplane subscription. The frame memory stays valid after the call returns.</summary>
/// <param name="instance">The instance the frame arrived on.</param>
/// <param name="topic">The topic the frame arrived on.</param>
/// <param name="frame">The frame bytes.</param>
public delegate void BackplaneFrameHandler(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame);

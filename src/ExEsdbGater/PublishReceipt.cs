namespace ExEsdbGater;

/// <summary>What a broadcast did.</summary>
/// <param name="Envelope">The envelope of the frame.</param>
/// <param name="LocalDeliveries">Subscribers in this process that received it.</param>
/// <param name="FrameBytes">The frame size (0 for a local-only broadcast, which makes no frame).</param>
public readonly record struct PublishReceipt(Envelope Envelope, int LocalDeliveries, int FrameBytes)
{
    /// <summary>The message as published: node fields its factory took from the process default name the bus's node.</summary>
    /// <value>Null only in a default-constructed receipt.</value>
    public GaterMessage? Message { get; init; }

    /// <summary>On a durable instance: the stream entry id the store assigned (it has accepted the entry).</summary>
    /// <value>Null on volatile instances and for local-only broadcasts.</value>
    public string? StreamEntryId { get; init; }
}

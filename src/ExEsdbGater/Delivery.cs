namespace ExEsdbGater;

/// <summary>One item delivered to a subscriber: a verified message, or (when asked for) a rejected frame.</summary>
public sealed class Delivery
{
    internal Delivery(Envelope envelope, GaterMessage message, bool local)
    {
        Envelope = envelope;
        Message = message;
        IsLocal = local;
    }

    internal Delivery(FrameRejection rejection)
    {
        Rejection = rejection;
        Envelope = rejection.Envelope;
    }

    /// <summary>The envelope; null only for a rejection whose body could not be read.</summary>
    public Envelope? Envelope { get; }

    /// <summary>The verified typed message, or null for a rejection.</summary>
    public GaterMessage? Message { get; }

    /// <summary>The rejection, when this delivery reports a rejected frame.</summary>
    public FrameRejection? Rejection { get; }

    /// <summary>True when the message was published by this bus.</summary>
    public bool IsLocal { get; }

    /// <summary>On a durable instance: the stream entry this delivery was read from.</summary>
    /// <value>Null on volatile instances.</value>
    public string? StreamEntryId { get; internal init; }

    /// <summary>On a durable instance: true when the entry was delivered before (to a consumer that did not acknowledge it).</summary>
    public bool IsRedelivery { get; internal init; }

    /// <inheritdoc />
    public override string ToString() => Rejection is { } r ? $"rejected {r.Reason.WireName()} on {r.Instance.WireName()} {r.Topic}" : $"{Envelope!.Type} from {Envelope.Node} on {Envelope.Topic}";
}

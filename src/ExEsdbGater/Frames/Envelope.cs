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
public sealed record Envelope(GaterInstance Instance, string Topic, string Type, string Id, string Node, long Epoch, long Seq, long Timestamp)
{
    /// <summary>The origin of frames of this library: signed exg1 frames.</summary>
    public const string Exg1Origin = "exg1";

    // The id as given, or null while it is kept compact (CompactMessageId: _idTail != 0) and nobody has read it.
    private string? _id = Id;
    private long _idMicros, _idTail;

    // Origin, Verification and NodeFromSender differ from their defaults only for linked messages: one shared object
    // holds the defaults, so that an exg1 envelope (nearly every one) is a field smaller.
    private Provenance _provenance = Provenance.Exg1;

    // A verified frame's envelope whose id has this library's form: the string is built when first read.
    internal Envelope(GaterInstance instance, string topic, string type, long idMicros, long idTail, string node, long epoch, long seq, long timestamp)
        : this(instance, topic, type, null!, node, epoch, seq, timestamp)
    {
        _idMicros = idMicros;
        _idTail = idTail;
    }

    /// <summary>The message id, unique per publishing node.</summary>
    public string Id
    {
        // a race builds two equal strings and keeps either
        get => _id ?? (_id = CompactMessageId.Format(_idMicros, _idTail));
        init
        {
            _id = value;
            _idMicros = 0;
            _idTail = 0;
        }
    }

    /// <summary>How the message arrived: <see cref="Exg1Origin"/>, or the name of the link that delivered it (e.g. <c>beam</c>).</summary>
    public string Origin
    {
        get => _provenance.Origin;
        init => _provenance = _provenance with { Origin = value };
    }

    /// <summary>
    /// For a linked message, how the link checked it (e.g. <c>otp25</c>: the original's signature over OTP 25's
    /// encoding); null for exg1 frames.
    /// </summary>
    public string? Verification
    {
        get => _provenance.Verification;
        init => _provenance = _provenance with { Verification = value };
    }

    /// <summary>
    /// True when the sender's message had no <c>node</c> field (seven of the original's types have none) and
    /// <see cref="Node"/> was taken from the sending node instead.
    /// </summary>
    public bool NodeFromSender
    {
        get => _provenance.NodeFromSender;
        init => _provenance = _provenance with { NodeFromSender = value };
    }

    // Written out because the id has two forms: equal ids are equal whichever form either side keeps. Every member
    // takes part (CompactStorageTests varies each one).
    /// <summary>Equal when every member is equal.</summary>
    public bool Equals(Envelope? other)
        => ReferenceEquals(this, other) || (other is not null
            && Instance == other.Instance && Epoch == other.Epoch && Seq == other.Seq && Timestamp == other.Timestamp
            && string.Equals(Topic, other.Topic, StringComparison.Ordinal) && string.Equals(Type, other.Type, StringComparison.Ordinal)
            && string.Equals(Node, other.Node, StringComparison.Ordinal) && IdEquals(other) && _provenance.Equals(other._provenance));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Instance, Topic, Type, Id, Node, HashCode.Combine(Epoch, Seq, Timestamp), _provenance);

    // two compact ids compare without building either string
    private bool IdEquals(Envelope other)
        => _idTail != 0 && other._idTail != 0
            ? _idTail == other._idTail && _idMicros == other._idMicros
            : string.Equals(Id, other.Id, StringComparison.Ordinal);

    private sealed record Provenance(string Origin, string? Verification, bool NodeFromSender)
    {
        public static readonly Provenance Exg1 = new(Exg1Origin, null, false);
    }
}

using System.Text;
using System.Text.Json.Serialization;

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
// Id and the provenance members are declared in the body (to keep them compact), so their JSON order is stated and
// PrintMembers is written out: both keep the declaration order of the parameters, as a plain record prints them.
public sealed record Envelope(
    [property: JsonPropertyOrder(0)] GaterInstance Instance,
    [property: JsonPropertyOrder(1)] string Topic,
    [property: JsonPropertyOrder(2)] string Type,
    string Id,
    [property: JsonPropertyOrder(4)] string Node,
    [property: JsonPropertyOrder(5)] long Epoch,
    [property: JsonPropertyOrder(6)] long Seq,
    [property: JsonPropertyOrder(7)] long Timestamp)
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

    // A new message's envelope from its id's parts (ElixirCompat.NextIdParts): compact whenever the parts read back
    // (any DateTimeOffset's microseconds do); otherwise the id's string.
    internal static Envelope Fresh(GaterInstance instance, string topic, string type, long idMicros, long idTail, string node, long epoch, long seq, long timestamp)
        => CompactMessageId.Fits(idMicros)
            ? new Envelope(instance, topic, type, idMicros, idTail, node, epoch, seq, timestamp)
            : new Envelope(instance, topic, type, CompactMessageId.Format(idMicros, idTail), node, epoch, seq, timestamp);

    // The id is kept as its parts: FrameEncoder writes it from them (always a valid id) without building the string.
    internal bool HasCompactId => _idTail != 0;

    internal int WriteCompactId(Span<byte> utf8) => CompactMessageId.WriteUtf8(_idMicros, _idTail, utf8);

    /// <summary>The message id, unique per publishing node.</summary>
    [JsonPropertyOrder(3)]
    public string Id
    {
        // a race builds two equal strings and keeps either; null stays null (an id given as null)
        get => _id ?? (HasCompactId ? _id = CompactMessageId.Format(_idMicros, _idTail) : null!);
        init
        {
            _id = value;
            _idMicros = 0;
            _idTail = 0;
        }
    }

    /// <summary>How the message arrived: <see cref="Exg1Origin"/>, or the name of the link that delivered it (e.g. <c>beam</c>).</summary>
    [JsonPropertyOrder(8)]
    public string Origin
    {
        get => _provenance.Origin;
        init => _provenance = _provenance with { Origin = value };
    }

    /// <summary>
    /// For a linked message, how the link checked it (e.g. <c>otp25</c>: the original's signature over OTP 25's
    /// encoding); null for exg1 frames.
    /// </summary>
    [JsonPropertyOrder(9)]
    public string? Verification
    {
        get => _provenance.Verification;
        init => _provenance = _provenance with { Verification = value };
    }

    /// <summary>
    /// True when the sender's message had no <c>node</c> field (seven of the original's types have none) and
    /// <see cref="Node"/> was taken from the sending node instead.
    /// </summary>
    [JsonPropertyOrder(10)]
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
        => HasCompactId && other.HasCompactId
            ? _idTail == other._idTail && _idMicros == other._idMicros
            : string.Equals(Id, other.Id, StringComparison.Ordinal);

    // A link's envelope: three init accessors would build three provenance objects.
    internal Envelope(GaterInstance instance, string topic, string type, string id, string node, long epoch, long seq, long timestamp, string origin, string? verification, bool nodeFromSender)
        : this(instance, topic, type, id, node, epoch, seq, timestamp)
        => _provenance = new Provenance(origin, verification, nodeFromSender);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Instance = ").Append(Instance)
            .Append(", Topic = ").Append(Topic)
            .Append(", Type = ").Append(Type)
            .Append(", Id = ").Append(Id)
            .Append(", Node = ").Append(Node)
            .Append(", Epoch = ").Append(Epoch)
            .Append(", Seq = ").Append(Seq)
            .Append(", Timestamp = ").Append(Timestamp)
            .Append(", Origin = ").Append(Origin)
            .Append(", Verification = ").Append(Verification)
            .Append(", NodeFromSender = ").Append(NodeFromSender);
        return true;
    }

    private sealed record Provenance(string Origin, string? Verification, bool NodeFromSender)
    {
        public static readonly Provenance Exg1 = new(Exg1Origin, null, false);
    }
}

namespace ExEsdbGater.Frames;

/// <summary>The envelope members of a body and where its payload lies, read in one pass.</summary>
internal struct BodyFields
{
    public GaterInstance Instance;
    public RawString Topic;
    public RawString Type;
    public RawString Id;
    public RawString Node;
    public long Epoch;
    public long Seq;
    public long Ts;
    public int PayloadStart;
    public int PayloadEnd;
    /// <summary>A payload number, at any depth, does not fit a finite double (e.g. <c>1e400</c>).</summary>
    public bool NonFiniteNumber;
    /// <summary>
    /// How many members the payload object has; the first <see cref="PayloadMember.MaxRecorded"/> are in this
    /// thread's <see cref="PayloadMember.ThreadBuffer"/>.
    /// </summary>
    public int PayloadMembers;
}

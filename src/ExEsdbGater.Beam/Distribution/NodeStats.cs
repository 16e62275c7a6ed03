namespace ExEsdbGater.Beam.Distribution;

/// <summary>Counters of a node, all connections together. Read at any time; updated lock-free.</summary>
internal sealed class NodeStats
{
    internal long framesIn;
    internal long framesOut;
    internal long ticksIn;
    internal long ticksOut;
    internal long malformed;
    internal long reconnects;
    internal long connectFailures;
    internal long handshakeFailures;
    internal long messagesDelivered;
    internal long messagesDropped;
    internal long malformedDisconnects;

    /// <summary>Non-tick frames received.</summary>
    public long FramesIn => Interlocked.Read(ref framesIn);

    /// <summary>Non-tick frames sent.</summary>
    public long FramesOut => Interlocked.Read(ref framesOut);

    public long TicksIn => Interlocked.Read(ref ticksIn);

    public long TicksOut => Interlocked.Read(ref ticksOut);

    /// <summary>Frames dropped as malformed (bad framing byte, undecodable or unknown control message).</summary>
    public long Malformed => Interlocked.Read(ref malformed);

    /// <summary>Connections closed for too many malformed frames.</summary>
    public long MalformedDisconnects => Interlocked.Read(ref malformedDisconnects);

    /// <summary>Successful connects to a kept peer after it had been connected before.</summary>
    public long Reconnects => Interlocked.Read(ref reconnects);

    /// <summary>Failed outgoing connects.</summary>
    public long ConnectFailures => Interlocked.Read(ref connectFailures);

    /// <summary>Failed incoming handshakes (garbage, silence, wrong cookie).</summary>
    public long HandshakeFailures => Interlocked.Read(ref handshakeFailures);

    /// <summary>Messages put into mailboxes.</summary>
    public long MessagesDelivered => Interlocked.Read(ref messagesDelivered);

    /// <summary>Messages dropped: full mailbox in a Drop mode, or no such mailbox.</summary>
    public long MessagesDropped => Interlocked.Read(ref messagesDropped);
}

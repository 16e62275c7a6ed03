using System.Net;
using System.Threading.Channels;

namespace ExEsdbGater.Beam.Distribution;

/// <summary>Settings of an <see cref="ErlangNode"/>. Every default is here, in one place.</summary>
internal sealed record ErlangNodeOptions
{
    /// <summary>Our node name: "alive" (the local host is added) or "alive@host". Default "dotnet".</summary>
    public string NodeName { get; init; } = "dotnet";

    /// <summary>Long names (-name: host is fully qualified) instead of short (-sname). Default false.</summary>
    public bool LongNames { get; init; }

    /// <summary>The cookie; null: env EXG_BEAM_COOKIE, else ~/.erlang.cookie.</summary>
    public string? Cookie { get; init; }

    /// <summary>Address to accept peers on. Default any (peers connect to the host in our name).</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;

    /// <summary>Port to accept peers on; 0 (default) picks a free one. EPMD tells peers which.</summary>
    public int ListenPort { get; init; }

    /// <summary>Host of our EPMD, where we register. Default 127.0.0.1 (EPMD only accepts ALIVE2 from loopback).</summary>
    public string EpmdHost { get; init; } = "127.0.0.1";

    /// <summary>EPMD port, ours and the peers'. Default 4369.</summary>
    public int EpmdPort { get; init; } = EpmdClient.DefaultPort;

    /// <summary>Peers to connect to at start and keep connected (reconnecting with backoff). Default none.</summary>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>Bound on one outgoing connect: EPMD lookup, TCP connect and handshake. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound on an incoming handshake; a peer that is silent longer is dropped. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// net_ticktime: we tick every quarter of it when idle, and drop a peer silent for longer than it. Must match the
    /// peers' (kernel's net_ticktime). Default 60 s, as OTP.
    /// </summary>
    public TimeSpan NetTickTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Largest frame accepted from a peer; a larger one closes the connection. Also bounds each term's bytes and a
    /// compressed term's inflated size. Default 8 MiB (the codec's TermLimits default).
    /// </summary>
    public int MaxFrameBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Malformed frames tolerated per connection: each is counted, logged and dropped; the one that reaches this
    /// count closes the connection. Default 16.
    /// </summary>
    public int MaxMalformedFrames { get; init; } = 16;

    /// <summary>
    /// Incoming handshakes in progress at once; a connection beyond it is closed at once (and counted as a handshake
    /// failure), so a flood of idle sockets costs at most this many × <see cref="HandshakeTimeout"/>. Default 64.
    /// </summary>
    public int MaxPendingHandshakes { get; init; } = 64;

    /// <summary>Messages a mailbox holds before <see cref="MailboxFullMode"/> applies. Default 10 000.</summary>
    public int MailboxCapacity { get; init; } = 10_000;

    /// <summary>
    /// What a full mailbox does. Default <see cref="BoundedChannelFullMode.Wait"/>: no loss, the sending peer's
    /// connection stops reading until there is room (TCP backpressure; ticks keep it alive meanwhile). The Drop modes
    /// drop and count (<see cref="NodeStats.MessagesDropped"/>).
    /// </summary>
    public BoundedChannelFullMode MailboxFullMode { get; init; } = BoundedChannelFullMode.Wait;

    /// <summary>First delay before reconnecting to a kept peer; doubles per failure. Default 250 ms.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Ceiling of the reconnect delay. Default 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (NetTickTime < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(NetTickTime), NetTickTime, "net_ticktime must be at least 1 s");
        }
        if (MaxFrameBytes < 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFrameBytes), MaxFrameBytes, "frame limit must be at least 1024 bytes");
        }
        if (MaxMalformedFrames < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMalformedFrames), MaxMalformedFrames, "must be at least 1");
        }
        if (MaxPendingHandshakes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPendingHandshakes), MaxPendingHandshakes, "must be at least 1");
        }
        if (MailboxCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MailboxCapacity), MailboxCapacity, "must be at least 1");
        }
        if (ReconnectInitialDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectInitialDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectMaxDelay), ReconnectMaxDelay, "reconnect delays must be positive, max >= initial");
        }
    }
}

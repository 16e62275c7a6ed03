using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Beam.Distribution;

/// <summary>Log messages of the distribution layer.</summary>
internal static partial class DistributionLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Erlang node {Node} listening on port {Port} (creation {Creation})")]
    public static partial void Started(this ILogger logger, string node, int port, uint creation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to {Peer} ({Direction})")]
    public static partial void PeerConnected(this ILogger logger, string peer, string direction);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disconnected from {Peer}: {Reason}")]
    public static partial void PeerDisconnected(this ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connect to {Peer} failed: {Reason}")]
    public static partial void ConnectFailed(this ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Incoming handshake from {Remote} ({Peer}) failed: {Reason}")]
    public static partial void IncomingHandshakeFailed(this ILogger logger, string remote, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed frame from {Peer} dropped ({Count}/{Limit}): {Problem}")]
    public static partial void MalformedFrame(this ILogger logger, string peer, string problem, int count, int limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Frame of {Length} bytes from {Peer} exceeds the limit of {Limit}; disconnecting")]
    public static partial void OversizeFrame(this ILogger logger, string peer, uint length, int limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "Read loop for {Peer} failed")]
    public static partial void ReadLoopFailed(this ILogger logger, string peer, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Message for {Target} dropped: no such mailbox")]
    public static partial void NoSuchMailbox(this ILogger logger, string target);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Send to {Target} failed: {Reason}")]
    public static partial void SendFailed(this ILogger logger, string target, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The handler of mailbox {Mailbox} threw; the message is dropped")]
    public static partial void InlineHandlerFailed(this ILogger logger, string mailbox, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A PeerStateChanged handler threw")]
    public static partial void HandlerFailed(this ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Accept loop failed")]
    public static partial void AcceptFailed(this ILogger logger, Exception error);
}

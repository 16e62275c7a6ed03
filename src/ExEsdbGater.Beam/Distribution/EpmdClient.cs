using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace ExEsdbGater.Beam.Distribution;

/// <summary>
/// The EPMD protocol (erl_dist_protocol "EPMD Protocol"): PORT_PLEASE2 to find a node's port, ALIVE2 to register ours.
/// Every request has a timeout, so an EPMD that accepts and stays silent is an error, not a hang.
/// </summary>
internal static class EpmdClient
{
    public const int DefaultPort = 4369;
    private const byte Alive2Req = 120;
    private const byte Alive2Resp = 121;
    private const byte Alive2XResp = 118;
    private const byte PortPlease2Req = 122;
    private const byte Port2Resp = 119;

    /// <summary>Asks EPMD on <paramref name="host"/> for the distribution port of <paramref name="alive"/>.</summary>
    public static async Task<int> PortPleaseAsync(string host, int epmdPort, string alive, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, epmdPort, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new DistributionException(DistributionError.EpmdUnreachable, $"EPMD on {host}:{epmdPort} unreachable: {e.Message}", e);
        }
        var stream = client.GetStream();
        try
        {
            var name = Encoding.UTF8.GetBytes(alive);
            var req = new byte[3 + name.Length];
            BinaryPrimitives.WriteUInt16BigEndian(req, (ushort)(1 + name.Length));
            req[2] = PortPlease2Req;
            name.CopyTo(req, 3);
            await stream.WriteAsync(req, cts.Token).ConfigureAwait(false);
            var head = new byte[2];
            await stream.ReadExactlyAsync(head, cts.Token).ConfigureAwait(false);
            if (head[0] != Port2Resp)
            {
                throw new DistributionException(DistributionError.ProtocolViolation, $"EPMD on {host}:{epmdPort} answered PORT_PLEASE2 with tag {head[0]}, not {Port2Resp}");
            }
            if (head[1] != 0)
            {
                throw new DistributionException(DistributionError.NodeNotRegistered, $"node '{alive}' is not registered with EPMD on {host}:{epmdPort}");
            }
            var port = new byte[2];
            await stream.ReadExactlyAsync(port, cts.Token).ConfigureAwait(false);
            return BinaryPrimitives.ReadUInt16BigEndian(port);
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new DistributionException(
                e is OperationCanceledException ? DistributionError.Timeout : DistributionError.EpmdUnreachable,
                $"EPMD on {host}:{epmdPort} failed to answer PORT_PLEASE2 for '{alive}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Registers <paramref name="alive"/> with our listening port as a hidden node (type 72, protocol 0, versions 6..6).
    /// Returns the open connection (registration lasts as long as it does) and the creation EPMD assigned.
    /// </summary>
    public static async Task<(TcpClient Connection, uint Creation)> RegisterAsync(string host, int epmdPort, string alive, int listenPort, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var client = new TcpClient { NoDelay = true };
        try
        {
            try
            {
                await client.ConnectAsync(host, epmdPort, cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                throw new DistributionException(DistributionError.EpmdUnreachable, $"EPMD on {host}:{epmdPort} unreachable: {e.Message}", e);
            }
            var stream = client.GetStream();
            var name = Encoding.UTF8.GetBytes(alive);
            var body = new byte[13 + name.Length];
            body[0] = Alive2Req;
            BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(1), (ushort)listenPort);
            body[3] = 72; // hidden node
            body[4] = 0; // TCP/IPv4
            BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(5), 6);
            BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(7), 6);
            BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(9), (ushort)name.Length);
            name.CopyTo(body, 11);
            BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(11 + name.Length), 0); // no extra
            var req = new byte[2 + body.Length];
            BinaryPrimitives.WriteUInt16BigEndian(req, (ushort)body.Length);
            body.CopyTo(req, 2);
            try
            {
                await stream.WriteAsync(req, cts.Token).ConfigureAwait(false);
                var head = new byte[2];
                await stream.ReadExactlyAsync(head, cts.Token).ConfigureAwait(false);
                uint creation;
                if (head[0] == Alive2XResp)
                {
                    var c = new byte[4];
                    await stream.ReadExactlyAsync(c, cts.Token).ConfigureAwait(false);
                    creation = BinaryPrimitives.ReadUInt32BigEndian(c);
                }
                else if (head[0] == Alive2Resp)
                {
                    var c = new byte[2];
                    await stream.ReadExactlyAsync(c, cts.Token).ConfigureAwait(false);
                    creation = BinaryPrimitives.ReadUInt16BigEndian(c);
                }
                else
                {
                    throw new DistributionException(DistributionError.ProtocolViolation, $"EPMD on {host}:{epmdPort} answered ALIVE2 with tag {head[0]}");
                }
                if (head[1] != 0)
                {
                    throw new DistributionException(DistributionError.RegistrationRefused, $"EPMD on {host}:{epmdPort} refused to register '{alive}' (result {head[1]}; is the name in use?)");
                }
                return (client, creation);
            }
            catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                throw new DistributionException(
                    e is OperationCanceledException ? DistributionError.Timeout : DistributionError.EpmdUnreachable,
                    $"EPMD on {host}:{epmdPort} failed to answer ALIVE2 for '{alive}': {e.Message}", e);
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}

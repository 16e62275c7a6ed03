using System.Net.Sockets;
using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Distribution;

/// <summary>
/// One established distribution connection: a read loop (frames and ticks), a tick loop, and serialized writes (one
/// writer at a time). Closes once, with a reason, and tells the node.
/// </summary>
internal sealed partial class Connection
{
    private readonly ErlangNode _node;
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastReceived;
    private long _lastSent;
    private int _malformed;
    private int _delivering;

    public Connection(ErlangNode node, TcpClient client, Stream stream, HandshakeResult peer)
    {
        _node = node;
        _client = client;
        _stream = stream;
        PeerName = peer.PeerName;
        PeerAtom = Atom.Of(peer.PeerName);
        PeerFlags = peer.PeerFlags;
        PeerCreation = peer.PeerCreation;
        _lastReceived = _lastSent = node.Time.GetTimestamp();
    }

    public string PeerName { get; }

    public Atom PeerAtom { get; }

    public ulong PeerFlags { get; }

    public uint PeerCreation { get; }

    /// <summary>Completes with the reason when the connection has closed.</summary>
    public Task<string> Closed => _closed.Task;

    public bool IsOpen => !_closed.Task.IsCompleted;

    public void Start()
    {
        _ = Task.Run(ReadLoopAsync);
        _ = Task.Run(TickLoopAsync);
    }

    /// <summary>Closes (once): the socket goes, pending I/O fails, the node hears the reason.</summary>
    public void Close(string reason)
    {
        if (!_closed.TrySetResult(reason))
        {
            return;
        }
        _cts.Cancel();
        _client.Dispose();
        _node.OnConnectionClosed(this, reason);
    }

    private async Task TickLoopAsync()
    {
        var quarter = _node.Options.NetTickTime / 4;
        try
        {
            while (IsOpen)
            {
                await Task.Delay(quarter, _node.Time, _cts.Token).ConfigureAwait(false);
                var now = _node.Time.GetTimestamp();
                var writeStarted = Interlocked.Read(ref _writeStarted);
                if (writeStarted != 0 && _node.Time.GetElapsedTime(writeStarted, now) > _node.Options.NetTickTime)
                {
                    Close($"write to {PeerName} stalled for more than net_ticktime ({_node.Options.NetTickTime.TotalSeconds:0.#} s): the peer does not read");
                    return;
                }
                if (Volatile.Read(ref _delivering) == 0
                    && _node.Time.GetElapsedTime(Interlocked.Read(ref _lastReceived), now) > _node.Options.NetTickTime)
                {
                    Close($"net_tick_timeout: {PeerName} silent for more than {_node.Options.NetTickTime.TotalSeconds:0.#} s");
                    return;
                }
                // Half a quarter: a write just before this wake-up must not delay the tick by a whole period.
                if (_node.Time.GetElapsedTime(Interlocked.Read(ref _lastSent), now) >= quarter / 2)
                {
                    await WriteTickAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (DistributionException)
        {
            // the failed tick write already closed the connection
        }
    }
}

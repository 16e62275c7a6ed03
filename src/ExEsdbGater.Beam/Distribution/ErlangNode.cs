using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ExEsdbGater.Beam.Terms;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExEsdbGater.Beam.Distribution;

/// <summary>
/// A hidden Erlang node (like jinterface's OtpNode): registers with EPMD, accepts and makes distribution connections,
/// keeps configured peers connected, and routes messages to <see cref="Mailbox"/>es.
/// </summary>
internal sealed partial class ErlangNode : IAsyncDisposable
{
    internal static readonly Atom NoConnection = Atom.Intern("noconnection");
    internal static readonly Atom NoProc = Atom.Intern("noproc");

    private readonly string _cookie;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Pid, Mailbox> _byPid = new();
    private readonly ConcurrentDictionary<string, Mailbox> _byName = new(StringComparer.Ordinal);
    private TcpClient? _epmd;
    private int _nextPid;
    private long _nextRef;
    private long _nextUnlinkId;
    private int _disposed;

    private ErlangNode(ErlangNodeOptions options, ErlangNodeName name, string cookie, TcpListener listener, TimeProvider time, ILogger log)
    {
        Options = options;
        Name = name.Full;
        NodeAtom = Atom.Intern(name.Full);
        _cookie = cookie;
        _listener = listener;
        Time = time;
        Log = log;
        _nextRef = RandomNumberGenerator.GetInt32(int.MaxValue);
    }

    public ErlangNodeOptions Options { get; }

    /// <summary>Our full node name, alive@host.</summary>
    public string Name { get; }

    public Atom NodeAtom { get; }

    /// <summary>The creation EPMD gave us (part of every pid and reference of ours).</summary>
    public uint Creation { get; private set; }

    /// <summary>Our distribution port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public NodeStats Stats { get; } = new();

    internal TimeProvider Time { get; }

    internal ILogger Log { get; }

    /// <summary>
    /// A peer connected, disconnected, or failed to connect. Raised outside every internal lock, on a pool thread or
    /// the caller's; a throwing handler is logged and ignored.
    /// </summary>
    public event EventHandler<PeerStateChangedEventArgs>? PeerStateChanged;

    /// <summary>
    /// Starts a node: listens, registers with EPMD (the registration lasts until dispose) and starts keeping
    /// <see cref="ErlangNodeOptions.Peers"/> connected. Throws <see cref="DistributionException"/> on a bad name, no
    /// cookie, unreachable EPMD or a refused registration.
    /// </summary>
    public static async Task<ErlangNode> StartAsync(ErlangNodeOptions options, TimeProvider? time = null, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var name = ErlangNodeName.Parse(options.NodeName, options.LongNames);
        var cookie = CookieSource.Resolve(options.Cookie);
        var listener = new TcpListener(options.ListenAddress, options.ListenPort);
        listener.Start();
        var node = new ErlangNode(options, name, cookie, listener, time ?? TimeProvider.System, logger ?? NullLogger.Instance);
        try
        {
            var (epmd, creation) = await EpmdClient.RegisterAsync(options.EpmdHost, options.EpmdPort, name.Alive, node.Port, options.ConnectTimeout, ct).ConfigureAwait(false);
            node._epmd = epmd;
            node.Creation = creation;
        }
        catch
        {
            listener.Stop();
            listener.Dispose();
            throw;
        }
        node.Log.Started(node.Name, node.Port, node.Creation);
        _ = Task.Run(node.AcceptLoopAsync);
        foreach (var peer in options.Peers)
        {
            node.Keep(peer);
        }
        return node;
    }

    /// <summary>Creates a mailbox with a new pid and, optionally, a registered name (unique on this node).</summary>
    /// <param name="name">The registered name, if any.</param>
    /// <param name="inline">
    /// When given, each message is handed to it on the connection's reading thread instead of queued: no hop, and the
    /// peer waits (TCP backpressure) while it runs. It must not block; <see cref="Mailbox.Reader"/> then stays empty.
    /// </param>
    public Mailbox CreateMailbox(string? name = null, Action<MailboxMessage>? inline = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var n = (uint)Interlocked.Increment(ref _nextPid);
        // id 15 bits, serial 13 bits: what every OTP release accepts in a pid.
        var pid = new Pid(NodeAtom, n & 0x7FFF, (n >> 15) & 0x1FFF, Creation);
        var box = new Mailbox(this, pid, name, Options.MailboxCapacity, Options.MailboxFullMode, inline);
        if (name is not null)
        {
            if (name.Length is 0 or > Atom.MaxCharacters || name == "net_kernel")
            {
                throw new ArgumentException($"'{name}' cannot be registered (empty, too long or reserved)", nameof(name));
            }
            if (!_byName.TryAdd(name, box))
            {
                throw new ArgumentException($"the name '{name}' is already registered on {Name}", nameof(name));
            }
        }
        _byPid[pid] = box;
        return box;
    }

    internal void Unregister(Mailbox box)
    {
        _byPid.TryRemove(box.Self, out _);
        if (box.Name is not null)
        {
            _byName.TryRemove(new KeyValuePair<string, Mailbox>(box.Name, box));
        }
    }

    internal long NewUnlinkId() => Interlocked.Increment(ref _nextUnlinkId);

    internal Reference NewReference()
    {
        var n = (ulong)Interlocked.Increment(ref _nextRef);
        return new Reference(NodeAtom, Creation, [(uint)(n & 0x3FFFF), (uint)(n >> 18), (uint)RandomNumberGenerator.GetInt32(int.MaxValue)]);
    }

    /// <summary>Closes mailboxes, connections, the listener and the EPMD registration.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        _listener.Dispose();
        foreach (var box in _byPid.Values.ToList())
        {
            await box.CloseAsync(Atom.Intern("shutdown")).ConfigureAwait(false);
        }
        Connection[] all;
        lock (_connLock)
        {
            all = [.. _connections.Values];
        }
        foreach (var c in all)
        {
            c.Close("node closed");
        }
        _epmd?.Dispose();
        // _stopping stays undisposed: keepers and handshakes still running read its (cancelled) token.
    }
}

using ExEsdbGater.Beam.Distribution;
using ExEsdbGater.Beam.Terms;
using Microsoft.Extensions.Logging;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.PubSub;

/// <summary>
/// Our side of OTP's <c>:pg</c> scope <c>Phoenix.PubSub</c>: the membership protocol between scope processes, so that
/// peers list our mailboxes in their groups and we know the members of theirs.
/// </summary>
/// <remarks>
/// <c>:pg</c> finds visible nodes by itself but not hidden ones like ours, so this scope introduces itself: on every
/// connection it sends <c>{discover, Self}</c> to the peer's scope; the peer answers with a <c>sync</c> cast of its
/// groups, monitors us and discovers us back, and our <c>sync</c> answer is what makes our mailboxes members there.
/// Later changes travel as <c>join</c> and <c>leave</c>; a peer scope's DOWN (or its node's disconnection) forgets it.
/// </remarks>
internal sealed partial class PgScope : IAsyncDisposable
{
    /// <summary>The scope's name: phoenix_pubsub starts <c>:pg</c> with the scope <c>Phoenix.PubSub</c>, the atom <c>'Elixir.Phoenix.PubSub'</c>.</summary>
    public const string ScopeName = "Elixir.Phoenix.PubSub";

    // A hostile node must not grow our tables without bound.
    private const int MaxGroupsPerPeer = 1024;
    private const int MaxMembersPerGroup = 10_000;

    private static readonly Atom Discover = Atom.Intern("discover");
    private static readonly Atom GenCast = Atom.Intern("$gen_cast");
    private static readonly Atom Sync = Atom.Intern("sync");
    private static readonly Atom Join = Atom.Intern("join");
    private static readonly Atom Leave = Atom.Intern("leave");

    private readonly ErlangNode _node;
    private readonly Mailbox _scope;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    // node → its scope process and groups, as it last told us; one scope per node (a new pid replaces the old)
    private readonly Dictionary<string, PeerScope> _remote = new(StringComparer.Ordinal);
    // group → our member pids
    private readonly Dictionary<Atom, List<Pid>> _local = [];
    // Our sync, join and leave leave in the order our membership changed: a join overtaking an older sync would be
    // undone by it, and a leave for a group the peer never saw crashes its :pg (maps:get in leave_remote).
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly Task _loop;
    private readonly Task _rediscovery;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeSpan _rediscoverEvery;
    private readonly TimeProvider _time;
    private long _malformed;
    // node → completed when that node's scope has sent us its groups (since it last connected)
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _synced = new(StringComparer.Ordinal);

    private PgScope(ErlangNode node, Mailbox scope, ILogger logger, TimeSpan rediscoverEvery, TimeProvider time)
    {
        _node = node;
        _scope = scope;
        _logger = logger;
        _rediscoverEvery = rediscoverEvery;
        _time = time;
        _node.PeerStateChanged += OnPeerState;
        _loop = Task.Run(RunAsync);
        _rediscovery = Task.Run(RediscoverAsync);
    }

    /// <summary>Starts our scope process (registered as <see cref="ScopeName"/>) and discovers the peers already connected.</summary>
    /// <param name="node">Our node.</param>
    /// <param name="logger">Where problems are logged.</param>
    /// <param name="rediscoverEvery">How often a connected peer whose scope has not answered is asked again.</param>
    /// <param name="time">The clock.</param>
    public static PgScope Start(ErlangNode node, ILogger logger, TimeSpan rediscoverEvery, TimeProvider time)
    {
        var scope = new PgScope(node, node.CreateMailbox(ScopeName), logger, rediscoverEvery, time);
        foreach (var peer in node.ConnectedPeers)
        {
            scope.DiscoverLater(peer);
        }
        return scope;
    }

    /// <summary>Our scope process.</summary>
    public Pid Self => _scope.Self;

    /// <summary>Messages the scope could not use (counted, logged, dropped).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Peer scopes we know, with their groups.</summary>
    public int PeerScopes
    {
        get
        {
            lock (_lock)
            {
                return _remote.Count;
            }
        }
    }

    /// <summary>Completes when <paramref name="peer"/>'s scope has told us its groups (after each connection).</summary>
    public Task WaitForSyncAsync(string peer, CancellationToken ct) => SyncOf(peer).Task.WaitAsync(ct);

    private TaskCompletionSource SyncOf(string peer) => _synced.GetOrAdd(peer, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>The members of <paramref name="group"/> on other nodes.</summary>
    public IReadOnlyList<Pid> RemoteMembers(Atom group)
    {
        lock (_lock)
        {
            var members = new List<Pid>();
            foreach (var peer in _remote.Values)
            {
                if (peer.Groups.TryGetValue(group, out var pids))
                {
                    members.AddRange(pids);
                }
            }
            return members;
        }
    }

    /// <summary>Makes <paramref name="pid"/> (one of ours) a member of <paramref name="group"/> and tells every peer scope that has our groups.</summary>
    public async Task JoinAsync(Atom group, Pid pid, CancellationToken ct)
    {
        await _sendGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            Pid[] peers;
            lock (_lock)
            {
                if (!_local.TryGetValue(group, out var pids))
                {
                    _local[group] = pids = [];
                }
                pids.Add(pid);
                peers = SyncedPeers();
            }
            var join = new Tuple(Join, Self, group, new List([pid]));
            foreach (var peer in peers)
            {
                await SendQuietlyAsync(peer, join).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Removes <paramref name="pid"/> from <paramref name="group"/> and tells every peer scope that has our groups.</summary>
    public async Task LeaveAsync(Atom group, Pid pid, CancellationToken ct)
    {
        await _sendGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            Pid[] peers;
            bool wasMember;
            lock (_lock)
            {
                wasMember = _local.TryGetValue(group, out var pids) && pids.Remove(pid);
                if (pids is { Count: 0 })
                {
                    _local.Remove(group);
                }
                peers = SyncedPeers();
            }
            if (!wasMember)
            {
                return;
            }
            var leave = new Tuple(Leave, Self, new List([pid]), new List([group]));
            foreach (var peer in peers)
            {
                await SendQuietlyAsync(peer, leave).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendGate.Release();
        }
    }

    // the scopes we have sent our groups to: only they may hear of a join or a leave
    private Pid[] SyncedPeers() => [.. _remote.Values.Where(p => p.GotOurSync).Select(p => p.Scope)];

    private void OnPeerState(object? sender, PeerStateChangedEventArgs e)
    {
        if (e.State == PeerState.Connected)
        {
            DiscoverLater(e.Peer);
        }
        else if (e.State == PeerState.Disconnected)
        {
            lock (_lock)
            {
                _remote.Remove(e.Peer);
            }
            if (_synced.TryGetValue(e.Peer, out var done) && done.Task.IsCompleted)
            {
                _synced.TryRemove(new KeyValuePair<string, TaskCompletionSource>(e.Peer, done));
            }
        }
    }

    // A discover sent while the peer's scope is not yet running (a node restarting: we reconnect as soon as it is
    // registered, before its applications start) is dropped by the peer's VM, and :pg only announces a new scope to
    // visible nodes. So a connected peer whose scope we do not know is asked again until its scope answers; a scope
    // that dies while its node stays up is forgotten by its DOWN and so asked again too.
    private async Task RediscoverAsync()
    {
        using var timer = new PeriodicTimer(_rediscoverEvery, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                HashSet<string> known;
                lock (_lock)
                {
                    known = [.. _remote.Keys];
                }
                foreach (var peer in _node.ConnectedPeers)
                {
                    if (!known.Contains(peer))
                    {
                        DiscoverLater(peer);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
    }

    // never on the connection's thread: sending may wait for the connection being set up
    private void DiscoverLater(string peer) => _ = Task.Run(async () =>
    {
        try
        {
            await _scope.SendAsync(ScopeName, peer, new Tuple(Discover, Self)).ConfigureAwait(false);
        }
        catch (DistributionException ex)
        {
            LogSendFailed(_logger, peer, ex.Message);
        }
        catch (ObjectDisposedException)
        {
            // closing
        }
    });

    private async Task RunAsync()
    {
        await foreach (var m in _scope.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await HandleAsync(m).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // one bad message must not end the scope: it is counted and logged
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _malformed);
                LogHandleFailed(_logger, m.Sender?.Node.Name ?? "?", ex.Message);
            }
        }
    }

    private async Task HandleAsync(MailboxMessage m)
    {
        var message = m.Message;
        switch (message)
        {
            // OTP 26+ may add a third element (features)
            case Tuple t when (t.IsTagged("discover", 2) || t.IsTagged("discover", 3)) && t[1] is Pid peer && IsPeerScope(peer, m.Sender):
                await OnDiscoverAsync(peer).ConfigureAwait(false);
                return;
            case Tuple t when t.IsTagged("$gen_cast", 2) && t[1] is Tuple c && c.IsTagged("sync", 3) && c[1] is Pid peer && IsPeerScope(peer, m.Sender)
                && c[2] is List groups && TryReadGroups(groups, out var parsed):
                if (Track(peer) is var isNew)
                {
                    lock (_lock)
                    {
                        if (_remote.TryGetValue(peer.Node.Name, out var p) && p.Scope.Equals(peer))
                        {
                            p.Groups = parsed;
                        }
                    }
                    if (isNew)
                    {
                        // as :pg's handle_sync: a scope first heard of by its sync is watched too
                        await _scope.MonitorAsync(peer).ConfigureAwait(false);
                    }
                    SyncOf(peer.Node.Name).TrySetResult();
                }
                return;
            case Tuple t when t.IsTagged("join", 4) && t[1] is Pid peer && t[2] is Atom group && TryReadPids(t[3], out var pids):
                lock (_lock)
                {
                    if (Known(peer) is { } p)
                    {
                        if (!p.Groups.TryGetValue(group, out var members))
                        {
                            if (p.Groups.Count >= MaxGroupsPerPeer)
                            {
                                throw new InvalidDataException($"{peer.Node.Name} joins more than {MaxGroupsPerPeer} groups");
                            }
                            p.Groups[group] = members = [];
                        }
                        if (members.Count + pids.Count > MaxMembersPerGroup)
                        {
                            throw new InvalidDataException($"{peer.Node.Name} puts more than {MaxMembersPerGroup} members in {group.Name}");
                        }
                        members.AddRange(pids);
                    }
                }
                return;
            case Tuple t when t.IsTagged("leave", 4) && t[1] is Pid peer && TryReadPids(t[2], out var pids) && t[3] is List { IsProper: true } leftGroups:
                lock (_lock)
                {
                    if (Known(peer) is { } p)
                    {
                        foreach (var group in leftGroups.Elements.OfType<Atom>())
                        {
                            if (p.Groups.TryGetValue(group, out var members))
                            {
                                // as :pg does (Members -- Pids): one occurrence per listed pid
                                foreach (var pid in pids)
                                {
                                    members.Remove(pid);
                                }
                            }
                        }
                    }
                }
                return;
            case Tuple t when t.IsTagged("DOWN", 5) && t[3] is Pid gone:
                lock (_lock)
                {
                    if (Known(gone) is not null)
                    {
                        _remote.Remove(gone.Node.Name);
                    }
                }
                return;
            default:
                Interlocked.Increment(ref _malformed);
                LogMalformed(_logger, Bounded(message));
                return;
        }
    }

    // A scope message must name a scope on the connected node it came from (never ours), so that one node cannot
    // fill our tables with made-up scopes of others.
    private bool IsPeerScope(Pid peer, Pid? sender)
    {
        var ok = !peer.Node.Equals(_node.NodeAtom) && (sender is null || sender.Node.Equals(peer.Node)) && _node.ConnectedPeers.Contains(peer.Node.Name);
        if (!ok)
        {
            Interlocked.Increment(ref _malformed);
            LogMalformed(_logger, $"a scope message naming {peer} from {sender?.ToString() ?? "an unknown sender"}");
        }
        return ok;
    }

    private PeerScope? Known(Pid scope) => _remote.TryGetValue(scope.Node.Name, out var p) && p.Scope.Equals(scope) ? p : null;

    /// <summary>Records <paramref name="scope"/> as its node's scope: true when it is new (then it must be watched), false when known.</summary>
    private bool Track(Pid scope)
    {
        lock (_lock)
        {
            if (_remote.TryGetValue(scope.Node.Name, out var known) && known.Scope.Equals(scope))
            {
                return false;
            }
            // a node's new scope (its old one restarted) replaces the old one and its groups
            _remote[scope.Node.Name] = new PeerScope(scope);
            return true;
        }
    }

    private async Task OnDiscoverAsync(Pid peer)
    {
        if (Track(peer))
        {
            // as :pg does: watch the peer scope, and discover it back so it tells us its groups
            await _scope.MonitorAsync(peer).ConfigureAwait(false);
            await SendQuietlyAsync(peer, new Tuple(Discover, Self)).ConfigureAwait(false);
        }
        await _sendGate.WaitAsync(_stopping.Token).ConfigureAwait(false);
        try
        {
            Term groups;
            lock (_lock)
            {
                groups = new List(_local.Select(g => (Term)new Tuple(g.Key, new List([.. g.Value]))).ToArray());
                if (Known(peer) is { } entry)
                {
                    entry.GotOurSync = true;
                }
            }
            await SendQuietlyAsync(peer, new Tuple(GenCast, new Tuple(Sync, Self, groups))).ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private static bool TryReadGroups(List groups, out Dictionary<Atom, List<Pid>> parsed)
    {
        parsed = [];
        if (!groups.IsProper || groups.Elements.Count > MaxGroupsPerPeer)
        {
            return false;
        }
        foreach (var e in groups.Elements)
        {
            if (e is not Tuple { Arity: 2 } g || g[0] is not Atom name || !TryReadPids(g[1], out var pids) || pids.Count > MaxMembersPerGroup)
            {
                return false;
            }
            parsed[name] = pids;
        }
        return true;
    }

    // :pg sends one pid or a list of pids
    private static bool TryReadPids(Term term, out List<Pid> pids)
    {
        pids = [];
        if (term is Pid one)
        {
            pids.Add(one);
            return true;
        }
        if (term is not List { IsProper: true } list)
        {
            return false;
        }
        foreach (var e in list.Elements)
        {
            if (e is not Pid p)
            {
                return false;
            }
            pids.Add(p);
        }
        return true;
    }

    // noconnect, as :pg sends: a peer that is gone is not waited for
    private async Task SendQuietlyAsync(Pid to, Term message)
    {
        try
        {
            await _scope.TrySendAsync(to, message, _stopping.Token).ConfigureAwait(false);
        }
        catch (DistributionException ex)
        {
            LogSendFailed(_logger, to.Node.Name, ex.Message);
        }
    }

    private static string Bounded(Term t)
    {
        var s = t.ToString();
        return s.Length <= 200 ? s : s[..200] + "…";
    }

    public async ValueTask DisposeAsync()
    {
        _node.PeerStateChanged -= OnPeerState;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _rediscovery.ConfigureAwait(false);
        await _scope.DisposeAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
        _sendGate.Dispose();
    }

    /// <summary>What we know of one node's scope.</summary>
    private sealed class PeerScope(Pid scope)
    {
        public Pid Scope { get; } = scope;

        public Dictionary<Atom, List<Pid>> Groups { get; set; } = [];

        /// <summary>True once our groups went to it: from then on it hears our joins and leaves.</summary>
        public bool GotOurSync { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "pg scope: could not reach {Peer}: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pg scope: dropped a message it does not understand: {Message}")]
    private static partial void LogMalformed(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pg scope: a message from {Peer} could not be handled: {Reason}")]
    private static partial void LogHandleFailed(ILogger logger, string peer, string reason);
}

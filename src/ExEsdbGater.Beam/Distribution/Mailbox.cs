using System.Threading.Channels;
using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Distribution;

/// <summary>
/// A process of ours: a pid, an optional registered name and a bounded channel of messages. Exit signals and monitor
/// ends become messages (as with trap_exit): the mailbox lives until <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class Mailbox : IAsyncDisposable
{
    private readonly ErlangNode _node;
    private readonly Channel<MailboxMessage> _channel;
    private readonly Lock _gate = new();

    // Remote processes monitoring us: ref → (watcher, what they monitored: our pid or our name).
    private readonly Dictionary<Reference, (Pid Watcher, Term Target)> _monitoredBy = [];

    // Our monitors of remote processes: ref → target pid (or {name, node}).
    private readonly Dictionary<Reference, Term> _monitoring = [];
    private readonly HashSet<Pid> _links = [];
    private int _closed;

    // Set for a mailbox whose messages are handled where they arrive (see ErlangNode.CreateMailbox).
    private readonly Action<MailboxMessage>? _inline;

    internal Mailbox(ErlangNode node, Pid self, string? name, int capacity, BoundedChannelFullMode mode, Action<MailboxMessage>? inline = null)
    {
        _inline = inline;
        _node = node;
        Self = self;
        Name = name;
        _channel = Channel.CreateBounded<MailboxMessage>(
            new BoundedChannelOptions(capacity) { FullMode = mode, SingleReader = false, SingleWriter = false },
            _ => Interlocked.Increment(ref node.Stats.messagesDropped));
    }

    public Pid Self { get; }

    public string? Name { get; }

    /// <summary>Messages for this mailbox; completes when it closes.</summary>
    public ChannelReader<MailboxMessage> Reader => _channel.Reader;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Sends <paramref name="message"/> to <paramref name="to"/> (local or remote, connecting on demand).</summary>
    public Task SendAsync(Pid to, Term message, CancellationToken ct = default) => _node.SendAsync(Self, to, message, ct);

    /// <summary>Sends to a remote pid only if its node is connected now (noconnect); false when it is not.</summary>
    public Task<bool> TrySendAsync(Pid to, Term message, CancellationToken ct = default) => _node.TrySendAsync(Self, to, message, ct);

    /// <summary>Sends to the process registered as <paramref name="name"/> on <paramref name="node"/>.</summary>
    public Task SendAsync(string name, string node, Term message, CancellationToken ct = default) => _node.SendAsync(Self, name, node, message, ct);

    /// <summary>
    /// Monitors a remote process; its end arrives as {'DOWN', Ref, process, Pid, Reason} (reason noconnection if the
    /// node cannot be reached or disconnects). Processes of this node are mailboxes: monitor them by other means.
    /// </summary>
    public async Task<Reference> MonitorAsync(Pid target, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Node.Equals(Self.Node))
        {
            throw new ArgumentException("monitors are for remote processes; this pid is on our node", nameof(target));
        }
        var r = _node.NewReference();
        lock (_gate)
        {
            _monitoring[r] = target;
        }
        try
        {
            await _node.SendControlAsync(target.Node.Name, new Terms.Tuple(new Integer(ControlTag.MonitorP), Self, target, r), null, ct).ConfigureAwait(false);
        }
        catch (DistributionException e)
        {
            // As erlang:monitor/2 does for an unreachable node: an immediate DOWN with noconnection.
            lock (_gate)
            {
                _monitoring.Remove(r);
            }
            _node.Log.SendFailed(target.ToString(), e.Message);
            await DeliverAsync(new MailboxMessage(null, Down(r, target, ErlangNode.NoConnection)), ct).ConfigureAwait(false);
        }
        return r;
    }

    /// <summary>Removes a monitor made by <see cref="MonitorAsync"/>.</summary>
    public async Task DemonitorAsync(Reference monitor, CancellationToken ct = default)
    {
        Term? target;
        lock (_gate)
        {
            if (!_monitoring.Remove(monitor, out target))
            {
                return;
            }
        }
        if (target is Pid p)
        {
            await _node.TrySendControlAsync(p.Node.Name, new Terms.Tuple(new Integer(ControlTag.DemonitorP), Self, p, monitor), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Links to a remote process; its exit arrives as {'EXIT', Pid, Reason}; ours is sent to it on close.</summary>
    public async Task LinkAsync(Pid other, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Node.Equals(Self.Node))
        {
            throw new ArgumentException("links are for remote processes; this pid is on our node", nameof(other));
        }
        lock (_gate)
        {
            _links.Add(other);
        }
        await _node.SendControlAsync(other.Node.Name, new Terms.Tuple(new Integer(ControlTag.Link), Self, other), null, ct).ConfigureAwait(false);
    }

    /// <summary>Removes a link (UNLINK_ID; the peer's UNLINK_ID_ACK needs no waiting, as no exit can follow it).</summary>
    public async Task UnlinkAsync(Pid other, CancellationToken ct = default)
    {
        bool had;
        lock (_gate)
        {
            had = _links.Remove(other);
        }
        if (had)
        {
            var id = new Integer(_node.NewUnlinkId());
            await _node.TrySendControlAsync(other.Node.Name, new Terms.Tuple(new Integer(ControlTag.UnlinkId), id, Self, other), ct).ConfigureAwait(false);
        }
    }

    internal static Term Down(Reference r, Term who, Term reason)
        => new Terms.Tuple(Atom.Intern("DOWN"), r, Atom.Intern("process"), who, reason);

    internal ValueTask DeliverAsync(MailboxMessage m, CancellationToken ct)
    {
        if (IsClosed)
        {
            Interlocked.Increment(ref _node.Stats.messagesDropped);
            return ValueTask.CompletedTask;
        }
        if (_inline is not null)
        {
            try
            {
                _inline(m);
                Interlocked.Increment(ref _node.Stats.messagesDelivered);
            }
#pragma warning disable CA1031 // a handler's failure must not end the connection that carried the message
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _node.Stats.messagesDropped);
                _node.Log.InlineHandlerFailed(Self.ToString(), ex);
            }
            return ValueTask.CompletedTask;
        }
        Interlocked.Increment(ref _node.Stats.messagesDelivered);
        return DeliverCoreAsync(m, ct);
    }

    private async ValueTask DeliverCoreAsync(MailboxMessage m, CancellationToken ct)
    {
        try
        {
            await _channel.Writer.WriteAsync(m, ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            Interlocked.Increment(ref _node.Stats.messagesDropped);
        }
    }

    internal bool AddMonitoredBy(Reference r, Pid watcher, Term target)
    {
        lock (_gate)
        {
            if (IsClosed)
            {
                return false;
            }
            _monitoredBy[r] = (watcher, target);
            return true;
        }
    }

    internal void RemoveMonitoredBy(Reference r)
    {
        lock (_gate)
        {
            _monitoredBy.Remove(r);
        }
    }

    internal bool AddLink(Pid other)
    {
        lock (_gate)
        {
            if (IsClosed)
            {
                return false;
            }
            _links.Add(other);
            return true;
        }
    }

    internal bool RemoveLink(Pid other)
    {
        lock (_gate)
        {
            return _links.Remove(other);
        }
    }

    /// <summary>A MONITOR_P_EXIT for one of our monitors: true (and forgotten) if it was ours.</summary>
    internal bool TakeMonitor(Reference r)
    {
        lock (_gate)
        {
            return _monitoring.Remove(r);
        }
    }

    /// <summary>Peer <paramref name="peer"/> went away: its links and monitors end with noconnection.</summary>
    internal async Task PeerDownAsync(string peer, CancellationToken ct)
    {
        List<MailboxMessage> notes = [];
        lock (_gate)
        {
            foreach (var l in _links.Where(l => l.Node.Name == peer).ToList())
            {
                _links.Remove(l);
                notes.Add(new MailboxMessage(l, new Terms.Tuple(Atom.Intern("EXIT"), l, ErlangNode.NoConnection)));
            }
            foreach (var (r, target) in _monitoring.Where(kv => NodeOf(kv.Value) == peer).ToList())
            {
                _monitoring.Remove(r);
                notes.Add(new MailboxMessage(null, Down(r, target, ErlangNode.NoConnection)));
            }
            foreach (var r in _monitoredBy.Where(kv => kv.Value.Watcher.Node.Name == peer).Select(kv => kv.Key).ToList())
            {
                _monitoredBy.Remove(r);
            }
        }
        foreach (var n in notes)
        {
            await DeliverAsync(n, ct).ConfigureAwait(false);
        }
    }

    private static string? NodeOf(Term t) => t is Pid p ? p.Node.Name : null;

    /// <summary>Closes with reason <c>normal</c>.</summary>
    public ValueTask DisposeAsync() => CloseAsync(Atom.Intern("normal"));

    /// <summary>
    /// Closes: unregisters, ends the reader, sends MONITOR_P_EXIT to every remote monitor of this mailbox and EXIT to
    /// every linked process, with <paramref name="reason"/>.
    /// </summary>
    public async ValueTask CloseAsync(Term reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        List<(Reference Ref, Pid Watcher, Term Target)> monitors;
        List<Pid> links;
        lock (_gate)
        {
            monitors = [.. _monitoredBy.Select(kv => (kv.Key, kv.Value.Watcher, kv.Value.Target))];
            links = [.. _links];
            _monitoredBy.Clear();
            _links.Clear();
            _monitoring.Clear();
        }
        _node.Unregister(this);
        _channel.Writer.TryComplete();
        foreach (var (r, watcher, target) in monitors)
        {
            await _node.TrySendControlAsync(watcher.Node.Name, new Terms.Tuple(new Integer(ControlTag.MonitorPExit), target, watcher, r, reason), CancellationToken.None).ConfigureAwait(false);
        }
        foreach (var l in links)
        {
            await _node.TrySendControlAsync(l.Node.Name, new Terms.Tuple(new Integer(ControlTag.Exit), Self, l, reason), CancellationToken.None).ConfigureAwait(false);
        }
    }
}

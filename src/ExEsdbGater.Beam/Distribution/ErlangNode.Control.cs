using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Distribution;

internal sealed partial class ErlangNode
{
    private static readonly Atom EmptyAtom = Atom.Intern("");
    private static readonly Atom Yes = Atom.Intern("yes");
    private TermLimits? _frameTermLimits;

    // Terms in a frame are bounded by the frame limit; depth and counts keep the codec's defaults.
    private TermLimits FrameTermLimits => _frameTermLimits ??= TermLimits.Default with
    {
        MaxBytes = Options.MaxFrameBytes,
        MaxUncompressedBytes = Options.MaxFrameBytes,
    };

    /// <summary>Sends <paramref name="message"/> from <paramref name="from"/> to a pid, local or remote.</summary>
    internal async Task SendAsync(Pid from, Pid to, Term message, CancellationToken ct)
    {
        if (to.Node.Equals(NodeAtom))
        {
            await DeliverLocalAsync(to, new MailboxMessage(from, message), ct).ConfigureAwait(false);
            return;
        }
        var conn = await GetOrConnectAsync(to.Node.Name, ct).ConfigureAwait(false);
        var control = (conn.PeerFlags & DistributionFlags.SendSender) != 0
            ? new Terms.Tuple(new Integer(ControlTag.SendSender), from, to)
            : new Terms.Tuple(new Integer(ControlTag.Send), EmptyAtom, to);
        await conn.SendAsync(control, message, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends to a remote pid only if its node is connected now (as <c>erlang:send(Pid, Msg, [noconnect])</c>): false
    /// when it is not, so a sender never waits for a connection attempt.
    /// </summary>
    internal async Task<bool> TrySendAsync(Pid from, Pid to, Term message, CancellationToken ct)
    {
        Connection? conn;
        lock (_connLock)
        {
            _connections.TryGetValue(to.Node.Name, out conn);
        }
        if (conn is null || !conn.IsOpen)
        {
            return false;
        }
        var control = (conn.PeerFlags & DistributionFlags.SendSender) != 0
            ? new Terms.Tuple(new Integer(ControlTag.SendSender), from, to)
            : new Terms.Tuple(new Integer(ControlTag.Send), EmptyAtom, to);
        await conn.SendAsync(control, message, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Sends to the process registered as <paramref name="name"/> on <paramref name="node"/>.</summary>
    internal async Task SendAsync(Pid from, string name, string node, Term message, CancellationToken ct)
    {
        var full = ErlangNodeName.Parse(node, Options.LongNames).Full;
        if (full == Name)
        {
            if (_byName.TryGetValue(name, out var box))
            {
                await box.DeliverAsync(new MailboxMessage(from, message), ct).ConfigureAwait(false);
            }
            return;
        }
        var conn = await GetOrConnectAsync(full, ct).ConfigureAwait(false);
        await conn.SendAsync(new Terms.Tuple(new Integer(ControlTag.RegSend), from, EmptyAtom, Atom.Of(name)), message, ct).ConfigureAwait(false);
    }

    /// <summary>Sends a control message to <paramref name="peer"/>, connecting on demand.</summary>
    internal async Task SendControlAsync(string peer, Terms.Tuple control, Term? payload, CancellationToken ct)
    {
        var conn = await GetOrConnectAsync(peer, ct).ConfigureAwait(false);
        await conn.SendAsync(control, payload, ct).ConfigureAwait(false);
    }

    /// <summary>Sends a control message if <paramref name="peer"/> is connected now; a failure is only logged.</summary>
    internal async Task TrySendControlAsync(string peer, Terms.Tuple control, CancellationToken ct)
    {
        Connection? conn;
        lock (_connLock)
        {
            _connections.TryGetValue(peer, out conn);
        }
        if (conn is null || !conn.IsOpen)
        {
            return;
        }
        try
        {
            await conn.SendAsync(control, null, ct).ConfigureAwait(false);
        }
        catch (DistributionException e)
        {
            Log.SendFailed(peer, e.Message);
        }
    }

    private async ValueTask DeliverLocalAsync(Pid to, MailboxMessage m, CancellationToken ct)
    {
        if (_byPid.TryGetValue(to, out var box))
        {
            await box.DeliverAsync(m, ct).ConfigureAwait(false);
        }
        else
        {
            Interlocked.Increment(ref Stats.messagesDropped);
            Log.NoSuchMailbox(to.ToString());
        }
    }

    /// <summary>
    /// Acts on one frame from <paramref name="conn"/>. Returns null, or what was wrong with it (the caller counts and
    /// drops it). Throws only OperationCanceledException when the connection closes.
    /// </summary>
    internal async Task<string?> HandleFrameAsync(Connection conn, ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        Terms.Tuple c;
        Term? payload;
        try
        {
            (c, payload) = DistFrame.Decode(frame.Span, FrameTermLimits);
        }
        catch (EtfFormatException e)
        {
            return e.Message;
        }
        if (!((Integer)c[0]).TryGetInt64(out var op))
        {
            return "operation number out of range";
        }
        var e0 = c.Elements;
        switch (op)
        {
            case ControlTag.Send when c.Arity == 3 && e0[2] is Pid to && payload is not null:
                await DeliverLocalAsync(to, new MailboxMessage(null, payload), ct).ConfigureAwait(false);
                return null;
            case ControlTag.SendTT when c.Arity == 4 && e0[2] is Pid to && payload is not null:
                await DeliverLocalAsync(to, new MailboxMessage(null, payload), ct).ConfigureAwait(false);
                return null;
            case ControlTag.SendSender or ControlTag.SendSenderTT when c.Arity == (op == ControlTag.SendSender ? 3 : 4) && e0[2] is Pid to && payload is not null:
                await DeliverLocalAsync(to, new MailboxMessage(e0[1] as Pid, payload), ct).ConfigureAwait(false);
                return null;
            case ControlTag.RegSend or ControlTag.RegSendTT when c.Arity == (op == ControlTag.RegSend ? 4 : 5) && e0[1] is Pid from && e0[3] is Atom name && payload is not null:
                await RegSendAsync(conn, from, name, payload, ct).ConfigureAwait(false);
                return null;
            case ControlTag.Link when c.Arity == 3 && e0[1] is Pid from && e0[2] is Pid to:
                if (!_byPid.TryGetValue(to, out var lbox) || !lbox.AddLink(from))
                {
                    await conn.SendAsync(new Terms.Tuple(new Integer(ControlTag.Exit), to, from, NoProc), null, ct).ConfigureAwait(false);
                }
                return null;
            case ControlTag.Unlink when c.Arity == 3 && e0[1] is Pid from && e0[2] is Pid to:
                if (_byPid.TryGetValue(to, out var ubox))
                {
                    ubox.RemoveLink(from);
                }
                return null;
            case ControlTag.UnlinkId when c.Arity == 4 && e0[2] is Pid from && e0[3] is Pid to:
                if (_byPid.TryGetValue(to, out var uibox))
                {
                    uibox.RemoveLink(from);
                }
                await conn.SendAsync(new Terms.Tuple(new Integer(ControlTag.UnlinkIdAck), e0[1], to, from), null, ct).ConfigureAwait(false);
                return null;
            case ControlTag.UnlinkIdAck when c.Arity == 4:
                return null;
            case ControlTag.Exit or ControlTag.Exit2 when c.Arity == 4 && e0[1] is Pid from && e0[2] is Pid to:
                await ExitAsync(from, to, e0[3], op == ControlTag.Exit, ct).ConfigureAwait(false);
                return null;
            case ControlTag.ExitTT or ControlTag.Exit2TT when c.Arity == 5 && e0[1] is Pid from && e0[2] is Pid to:
                await ExitAsync(from, to, e0[4], op == ControlTag.ExitTT, ct).ConfigureAwait(false);
                return null;
            case ControlTag.MonitorP when c.Arity == 4 && e0[1] is Pid watcher && e0[3] is Reference r:
                await MonitorAsync(conn, watcher, e0[2], r, ct).ConfigureAwait(false);
                return null;
            case ControlTag.DemonitorP when c.Arity == 4 && e0[3] is Reference r:
                var target = e0[2] is Pid p ? _byPid.GetValueOrDefault(p) : e0[2] is Atom a ? _byName.GetValueOrDefault(a.Name) : null;
                target?.RemoveMonitoredBy(r);
                return null;
            case ControlTag.MonitorPExit when c.Arity == 5 && e0[2] is Pid to && e0[3] is Reference r:
                if (_byPid.TryGetValue(to, out var mbox) && mbox.TakeMonitor(r))
                {
                    await mbox.DeliverAsync(new MailboxMessage(e0[1] as Pid, Mailbox.Down(r, e0[1], e0[4])), ct).ConfigureAwait(false);
                }
                return null;
            default:
                return $"unsupported or malformed control message {Bounded(c)}";
        }
    }

    private async Task RegSendAsync(Connection conn, Pid from, Atom name, Term payload, CancellationToken ct)
    {
        if (name.Name == "net_kernel")
        {
            // Node.ping/1: {'$gen_call', {From, Tag}, {is_auth, Node}} → From ! {Tag, yes}. Tag is a reference, or
            // [alias | Ref] since OTP 24 (gen.erl); sending to the pid reaches the waiting receive either way.
            if (payload is Terms.Tuple { Arity: 3 } call && call[0] is Atom { Name: "$gen_call" }
                && call[1] is Terms.Tuple { Arity: 2 } fromTag && fromTag[0] is Pid replyTo
                && call[2] is Terms.Tuple req && req.IsTagged("is_auth", 2))
            {
                await conn.SendAsync(new Terms.Tuple(new Integer(ControlTag.Send), EmptyAtom, replyTo), new Terms.Tuple(fromTag[1], Yes), ct).ConfigureAwait(false);
            }
            return;
        }
        if (_byName.TryGetValue(name.Name, out var box))
        {
            await box.DeliverAsync(new MailboxMessage(from, payload), ct).ConfigureAwait(false);
        }
        else
        {
            Interlocked.Increment(ref Stats.messagesDropped);
            Log.NoSuchMailbox(name.Name);
        }
    }

    private async Task ExitAsync(Pid from, Pid to, Term reason, bool isLinkExit, CancellationToken ct)
    {
        if (!_byPid.TryGetValue(to, out var box))
        {
            return;
        }
        // A link exit only counts if the link exists; exit/2 (EXIT2) always arrives. Both as {'EXIT', From, Reason}.
        if (box.RemoveLink(from) || !isLinkExit)
        {
            await box.DeliverAsync(new MailboxMessage(from, new Terms.Tuple(Atom.Intern("EXIT"), from, reason)), ct).ConfigureAwait(false);
        }
    }

    private async Task MonitorAsync(Connection conn, Pid watcher, Term target, Reference r, CancellationToken ct)
    {
        if (target is Atom { Name: "net_kernel" })
        {
            return; // lives as long as the node; gen:call monitors it during Node.ping/1
        }
        var box = target is Pid p ? _byPid.GetValueOrDefault(p) : target is Atom a ? _byName.GetValueOrDefault(a.Name) : null;
        if (box is null || !box.AddMonitoredBy(r, watcher, target))
        {
            await conn.SendAsync(new Terms.Tuple(new Integer(ControlTag.MonitorPExit), target, watcher, r, NoProc), null, ct).ConfigureAwait(false);
        }
    }

    private static string Bounded(Term t)
    {
        var s = t.ToString();
        return s.Length > 200 ? s[..200] + "…" : s;
    }
}

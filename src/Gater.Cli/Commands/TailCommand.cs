using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using ExEsdbGater;

namespace Gater.Cli.Commands;

internal sealed class TailCommand : GaterCommand
{
    private readonly Option<GaterInstance?> _instance = Opt.Instance("The instance to follow, e.g. ex_esdb_health.");
    private readonly Option<string> _topic = Opt.Text("--topic", "T", "A topic, or a pattern where * matches any run of characters (e.g. 'cluster:*').");
    private readonly RedisOptions _redis = new("Redis connection string (host:port[,password=…,ssl=true,…]); this or --beam is required.");
    private readonly BeamOptions _beam = new("Also (or instead) follow these Elixir nodes running the original library (store1@host[,…]): their messages, checked the original's way.");
    private readonly Option<bool> _json = Opt.Flag("--json", "One JSON object per line instead of the live view.");
    private readonly Option<long?> _count = Opt.Whole("--count", "N", "Stop after N messages and rejections.", 1);
    private readonly Option<TimeSpan?> _duration = Opt.Duration("--duration", "D", "Stop after this long (e.g. 30s).");
    private readonly Option<string> _nodeName = Opt.Text("--node-name", "NAME@HOST", "This node's name (default: EXG_NODE_NAME, else process@host).");
    private readonly Option<bool> _durable = Opt.Flag("--durable", "Read the instance's Redis stream (durable messages) instead of pub/sub; alone: new entries from now, in no group.");
    private readonly Option<string> _from = Opt.Text("--from", "POS", "With --durable: read history from 'beginning', an RFC 3339 time or an entry id (inclusive).");
    private readonly Option<string> _until = Opt.Text("--until", "POS", "With --from: stop after this entry id or time, or at the stream's current end (exit 0).");
    private readonly Option<string> _group = Opt.Text("--group", "G", "With --durable: consume new entries as a member of group G, each acknowledged once printed.");
    private readonly KeyOptions _keys = new();

    public TailCommand()
        : base("tail", "Follow a live stream: decoded, verified, rejections shown with reasons.",
            "--instance I --topic T|PATTERN (--redis CONN [--durable [--from POS [--until POS] | --group G]] | --beam NODE[,NODE…] [--cookie C] [--sname NAME]) [--json] [--count N] [--duration D]",
            """
            Without --json: one readable line per message. With --json: the 'gater verify' line format, with "topic";
            rejections carry "node" when the frame names its sender. Redis unreachable at the start: exit 1; later
            outages are reported on stderr while tail reconnects (frames sent meanwhile are lost; gaps are reported).
            Messages and rejections wait apart. When the output is slow, messages wait (10,000 in tail, then in the bus's
            inbound queue) and tail drops none; rejections beyond 1,000 waiting are dropped. Any loss is one stderr line
            with counts ("output too slow: N of M rejection(s) not shown", and frames the bus itself had to drop).
            Durable instances (audit, security and alerts from 'gater demo --redis' or 'gater publish --durable') are
            kept in a Redis stream, not sent over pub/sub; read them with --durable:
              --durable                   new entries from now; joins no group, so it never takes a service's entries
              --durable --from beginning  history: 'beginning', an RFC 3339 time (2026-11-27T10:00:00Z) or an entry id
                                          (1795751000000-0, that entry included); without --until it then follows
              --until POS                 with --from: stop after this entry id or time, or at the current end (exit 0)
              --durable --group G         consume as a member of group G: entries are shared with G's other members,
                                          and each one is acknowledged after it is printed (a new group starts at
                                          the end; unacknowledged entries come back to this consumer, --node-name)
            Durable lines carry "entry" (the stream entry id) and "redelivered"; entries trimmed by retention before
            they were read are one "gap:" line on stderr with the exact count.
            With --beam, this process joins the Elixir cluster as a hidden node (Erlang distribution, the Phoenix.PubSub
            PG2 group of the instance) and shows the messages Elixir nodes broadcast there, each checked as the original
            does ({:secure_message, HMAC, msg} with SECRET_KEY_BASE or --secret) and typed; lines carry "origin":"beam"
            and "verification" (otp25 or otp26: the Erlang encoding the signature matched). Both --redis and --beam may
            be given. docs/beam.md explains setup and limits.
            Exit: 0 when stopped (Ctrl+C, SIGTERM, --count, --duration, --until, or a closed output), 2 for usage or
            configuration errors.
            """)
    {
        Add(_instance);
        Add(_topic);
        _redis.AddTo(this);
        _beam.AddTo(this);
        Add(_json);
        Add(_count);
        Add(_duration);
        Add(_nodeName);
        Add(_durable);
        Add(_from);
        Add(_until);
        Add(_group);
        _keys.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult args, CancellationToken ct)
    {
        var instance = Required(args, _instance);
        var pattern = Required(args, _topic);
        if (!TopicPattern.IsValid(pattern))
        {
            throw new UsageException($"'{Cli.Abbreviate(pattern)}' is not a valid topic or pattern");
        }
        var durable = Durable(args);
        var beamPeers = _beam.Peers(args);
        if (_redis.Connection(args) is null && (durable is not null || beamPeers is null))
        {
            throw durable is not null ? new UsageException("--durable reads the instance's Redis stream and needs --redis CONN") : new UsageException("tail follows other processes and needs --redis CONN or --beam NODE (the embedded demo shows its own traffic: 'gater demo')");
        }
        var count = args.GetValue(_count);
        var duration = args.GetValue(_duration);
        var json = args.GetValue(_json);
        var keys = _keys.Ring(args);
        if (!keys.HasKeys)
        {
            throw new GaterConfigurationException("no secret configured: set SECRET_KEY_BASE (the cluster's secret) or pass --secret");
        }
        await using var backplane = await _redis.ConnectAsync(args);
        await using var transport = durable is null ? null : await _redis.ConnectDurableAsync(args);
        await using var beam = await _beam.StartAsync(args, _keys, ct);
        var node = NodeName.Resolve(args.GetValue(_nodeName) ?? NodeName.FromParts("tail", Environment.MachineName));
        await using var bus = GaterBus.Create(new GaterBusOptions
        {
            NodeName = node,
            Keys = keys,
            Backplane = backplane,
            DurableTransport = transport,
            Links = beam is null ? [] : [beam],
            DeliveryModes = durable is null ? null : new Dictionary<GaterInstance, DeliveryMode> { [instance] = DeliveryMode.Durable },
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (duration is { } d)
        {
            stop.CancelAfter(d);
        }
        bus.GapDetected += g => Console.Error.WriteLine($"gap: {g.Missing} frame(s) lost from {g.Node} on {g.Topic}");
        bus.StreamGapDetected += g => Console.Error.WriteLine(
            $"gap: {g.Missing} entr(ies) of {g.Instance.WireName()} trimmed by retention before {(g.Group is null ? "this reader" : "group " + g.Group)} read them (next: {g.NextEntryId ?? "none yet"})");
        backplane?.StateChanged += s => Console.Error.WriteLine($"redis: {s.State} {s.Detail}");
        beam?.StateChanged += s => Console.Error.WriteLine($"beam: {s.State} {s.Detail}");
        // Rejections and messages never share a queue: a flood of forged frames must not push out honest messages.
        // Messages wait (backpressure: none is lost while the output is slow); rejections are bounded, and what falls
        // off is counted and announced.
        var losses = new Losses(bus);
        var rejections = Channel.CreateBounded<FrameRejection>(
            new BoundedChannelOptions(RejectionCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref losses.RejectionsDropped));
        var rejectionsGate = new Lock();
        var closed = false;
        void OnRejected(FrameRejection r)
        {
            lock (rejectionsGate)
            {
                if (!closed && r.Instance == instance && TopicPattern.Matches(pattern, r.Topic))
                {
                    Interlocked.Increment(ref losses.Rejections);
                    rejections.Writer.TryWrite(r);
                }
            }
        }
        bus.FrameRejected += OnRejected;
        var options = new SubscriptionOptions { Capacity = MessageCapacity, FullMode = QueueFullMode.Wait, Name = "tail" };
        if (durable is { } dr)
        {
            // without --from or --group: a history reader from now, so that no group's entries are taken
            options = options with { From = dr.From ?? (dr.Group is null ? StreamPosition.At(DateTimeOffset.UtcNow) : null), Until = dr.Until, Group = dr.Group };
        }
        await using var stream = await bus.OpenStreamAsync(instance, pattern, options, stop.Token);
        var via = string.Join(" and ", new[] { backplane?.Name, beam is null ? null : $"beam ({string.Join(",", beam.ConnectedPeers)} as {beam.NodeName})" }.OfType<string>());
        Console.Error.WriteLine($"following {instance.WireName()} {pattern} on {via}{durable?.Describe()} as {node} (Ctrl+C to stop)");
        long seen = 0;
        void Print(string line)
        {
            if (!Stdout.WriteLine(line) || (count is { } c && Interlocked.Increment(ref seen) >= c))
            {
                stop.Cancel();
            }
        }
        // the messages end by themselves only at --until: then tail is done
        async Task Messages()
        {
            await Pump(stream.Reader, m => Print(json ? JsonOf(m) : Text(m)), stop.Token);
            await stop.CancelAsync();
        }
        var messages = Messages();
        var rejected = Pump(rejections.Reader, r => Print(json ? JsonOf(r) : Text(r)), stop.Token);
        var notices = losses.AnnounceAsync(TimeSpan.FromSeconds(1), stop.Token);
        await Task.WhenAll(messages, rejected, notices);
        // stopped: rejections still waiting were not shown either, so the final line counts them
        bus.FrameRejected -= OnRejected;
        lock (rejectionsGate)
        {
            // events already queued on the bus may still arrive: from here on they are not counted at all
            closed = true;
            while (rejections.Reader.TryRead(out _))
            {
                Interlocked.Increment(ref losses.RejectionsDropped);
            }
        }
        losses.Announce(final: true);
        return 0;
    }

    private const int MessageCapacity = 10_000;
    private const int RejectionCapacity = 1_000;

    /// <summary>--durable and its positions, checked before anything connects.</summary>
    private sealed record DurableRead(StreamPosition? From, StreamPosition? Until, string? Group)
    {
        public string Describe() => Group is { } g ? $" (durable, group {g})"
            : From is { } f ? $" (durable, history from {f}{(Until is { } u ? " until " + u : "")})" : " (durable, new entries, no group)";
    }

    private DurableRead? Durable(ParseResult args)
    {
        var from = args.GetValue(_from);
        var until = args.GetValue(_until);
        var group = args.GetValue(_group);
        if (!args.GetValue(_durable))
        {
            var needs = from is not null ? "--from" : until is not null ? "--until" : group is not null ? "--group" : null;
            return needs is null ? null : throw new UsageException($"'{needs}' reads a durable stream: add --durable");
        }
        if (until is not null && from is null)
        {
            throw new UsageException("'--until' ends a history read: add --from (e.g. --from beginning)");
        }
        if (group is not null && from is not null)
        {
            throw new UsageException("'--group' consumes new entries as a group member; history (--from) is read without a group");
        }
        if (group is not null && (group.Length == 0 || group.Any(char.IsControl)))
        {
            throw new UsageException($"'{Cli.Abbreviate(group)}' is not a group name (not empty, no control characters)");
        }
        return new DurableRead(Position(from, "--from"), Position(until, "--until"), group);
    }

    private static StreamPosition? Position(string? text, string option)
        => text is null ? null
            : StreamPosition.TryParse(text, out var p) ? p
            : throw new UsageException($"'{option}' takes 'beginning', an RFC 3339 time (2026-11-27T10:00:00Z) or an entry id (1795751000000-0), not '{Cli.Abbreviate(text)}'");

    private static async Task Pump<T>(ChannelReader<T> reader, Action<T> print, CancellationToken ct)
    {
        try
        {
            // not ReadAllAsync: once stopped, take nothing more (a durable stream acknowledges what was taken)
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (!ct.IsCancellationRequested && reader.TryRead(out var item))
                {
                    print(item);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>What tail could not show, announced on stderr in one line whenever it grows.</summary>
    private sealed class Losses(IGaterBus bus)
    {
        public long Rejections;
        public long RejectionsDropped;
        private (long, long, long, long) _announced;

        public async Task AnnounceAsync(TimeSpan every, CancellationToken ct)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(every, ct).ConfigureAwait(false);
                    Announce();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
        }

        /// <summary>One line if anything was dropped since the last one; at the end, the totals again if any.</summary>
        public void Announce(bool final = false)
        {
            var stats = bus.Statistics;
            var now = (Interlocked.Read(ref RejectionsDropped), stats.Dropped, stats.InboundDropped, stats.EventsDropped);
            if (final ? now == default : now == _announced)
            {
                return;
            }
            _announced = now;
            var (rejections, messages, inbound, events) = now;
            var line = new StringBuilder("gater tail: output too slow: ")
                .Append(CultureInfo.InvariantCulture, $"{rejections} of {Interlocked.Read(ref Rejections)} rejection(s) not shown");
            if (messages > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $"; {messages} message(s) dropped");
            }
            if (inbound > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $"; {inbound} frame(s) lost before verification (bus inbound queue full)");
            }
            if (events > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $"; {events} bus event(s) lost (rejections or gaps not reported)");
            }
            Console.Error.WriteLine(line.ToString());
        }
    }

    internal static string JsonOf(Delivery d) => d.Rejection is { } r ? JsonOf(r) : Cli.JsonLine(w => Cli.WriteMessageLine(w, d.Envelope!, d.Message!, d.StreamEntryId is null ? null : x =>
    {
        x.WriteString("entry", d.StreamEntryId);
        x.WriteBoolean("redelivered", d.IsRedelivery);
    }));

    internal static string JsonOf(FrameRejection r) => Cli.JsonLine(w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("ok", false);
        w.WriteString("reason", r.Reason.WireName());
        w.WriteString("instance", r.Instance.WireName());
        w.WriteString("topic", r.Topic);
        if (r.Envelope is { } e)
        {
            // who sent it, as far as the (unverified) frame says
            w.WriteString("node", e.Node);
        }
        w.WriteEndObject();
    });

    internal static string Text(FrameRejection r)
        => $"{DateTime.UtcNow:HH:mm:ss.fff} REJECTED {r.Reason.WireName(),-26} {r.Instance.WireName()} {r.Topic} {r.Detail}";

    internal static string Text(Delivery d)
    {
        if (d.Rejection is { } r)
        {
            return Text(r);
        }
        var e = d.Envelope!;
        var ts = DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp).UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var entry = d.StreamEntryId is null ? "" : $" [entry {d.StreamEntryId}{(d.IsRedelivery ? ", redelivered" : "")}]";
        var origin = e.Origin == Envelope.Exg1Origin ? "" : $" [{e.Origin} {e.Verification}]";
        return $"{ts} {e.Node,-20} {e.Type,-28} {e.Topic,-22} {Summarize(d.Message!)}{entry}{origin}";
    }

    internal static string Summarize(GaterMessage m) => m switch
    {
        NodeHealth h => $"{h.Node} {WireEnum<NodeHealthStatus>.Name(h.Status)} load={h.LoadAvg:0.00} mem={h.MemoryUsage:0.0}%",
        ClusterHealth c => $"{WireEnum<HealthStatus>.Name(c.Status)} {c.HealthyNodes}/{c.TotalNodes} healthy",
        SystemAlert a => $"[{WireEnum<AlertSeverity>.Name(a.Severity)}] {a.Title} ({a.AlertId})",
        AlertAck a => $"ack {a.AlertId} by {a.AckBy}",
        AlertEscalation a => $"escalate {a.AlertId} {WireEnum<EscalationLevel>.Name(a.FromLevel)}→{WireEnum<EscalationLevel>.Name(a.ToLevel)}",
        PerformanceMetric p => $"{p.MetricName}={p.Value:0.###}{p.Unit}",
        LogEntry l => $"[{WireEnum<LogEntryLevel>.Name(l.Level)}] {l.Message}",
        _ => m.ToString().Length > 120 ? m.ToString()[..120] + "…" : m.ToString(),
    };
}

using System.Globalization;
using ExEsdbGater;

namespace Gater.Cli.Commands;

internal sealed class TailCommand : ICommand
{
    public CommandSpec Spec { get; } = new("tail", "Follow a live stream: decoded, verified, rejections shown with reasons.",
        "--instance I --topic T|PATTERN --redis CONN [--json] [--count N] [--duration D]",
        [
            new Opt("instance", "I", "The instance to follow, e.g. ex_esdb_health."),
            new Opt("topic", "T", "A topic, or a pattern where * matches any run of characters (e.g. 'cluster:*')."),
            Cli.RedisOpt, Cli.PrefixOpt, Cli.JsonOpt,
            new Opt("count", "N", "Stop after N messages and rejections."),
            new Opt("duration", "D", "Stop after this long (e.g. 30s)."),
            Cli.NodeNameOpt, Cli.SecretOpt, Cli.KeyOpt,
        ],
        "Without --json: one readable line per message. With --json: the 'gater verify' line format, with \"topic\".\nExit: 0 when stopped (Ctrl+C, --count or --duration), 1 if Redis fails, 2 for usage errors.");

    public async Task<int> RunAsync(ParsedArgs args, CancellationToken ct)
    {
        var instance = args.Instance();
        var pattern = args.Required("topic");
        if (!TopicPattern.IsValid(pattern))
        {
            throw new UsageException($"'{pattern}' is not a valid topic or pattern");
        }
        if (args.Get("redis") is null)
        {
            throw new UsageException("tail follows other processes and needs --redis CONN (the embedded demo shows its own traffic: 'gater demo')");
        }
        var count = args.Long("count", 1);
        var duration = args.Duration("duration");
        var json = args.Flag("json");
        var keys = Cli.Keys(args);
        if (!keys.HasKeys)
        {
            throw new GaterConfigurationException("no secret configured: set SECRET_KEY_BASE (the cluster's secret) or pass --secret");
        }
        await using var backplane = await Cli.BackplaneAsync(args);
        var node = NodeName.Resolve(args.Get("node-name") ?? NodeName.FromParts("tail", Environment.MachineName));
        await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = node, Keys = keys, Backplane = backplane });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (duration is { } d)
        {
            stop.CancelAfter(d);
        }
        bus.GapDetected += g => Console.Error.WriteLine($"gap: {g.Missing} frame(s) lost from {g.Node} on {g.Topic}");
        bus.BackplaneStateChanged += s => Console.Error.WriteLine($"redis: {s.State} {s.Detail}");
        await using var stream = await bus.OpenStreamAsync(instance, pattern, new SubscriptionOptions { IncludeRejections = true, Capacity = 10_000, FullMode = QueueFullMode.DropOldest }, stop.Token);
        Console.Error.WriteLine($"following {instance.WireName()} {pattern} on {backplane!.Name} as {node} (Ctrl+C to stop)");
        long seen = 0;
        try
        {
            await foreach (var delivery in stream.ReadAllAsync(stop.Token))
            {
                Console.Out.WriteLine(json ? JsonOf(delivery) : Text(delivery));
                if (count is { } c && ++seen >= c)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        return 0;
    }

    internal static string JsonOf(Delivery d) => Cli.JsonLine(w =>
    {
        if (d.Rejection is { } r)
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", false);
            w.WriteString("reason", r.Reason.WireName());
            w.WriteString("instance", r.Instance.WireName());
            w.WriteString("topic", r.Topic);
            w.WriteEndObject();
            return;
        }
        Cli.WriteMessageLine(w, d.Envelope!, d.Message!);
    });

    internal static string Text(Delivery d)
    {
        if (d.Rejection is { } r)
        {
            return $"{DateTime.UtcNow:HH:mm:ss.fff} REJECTED {r.Reason.WireName(),-26} {r.Instance.WireName()} {r.Topic} {r.Detail}";
        }
        var e = d.Envelope!;
        var ts = DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp).UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        return $"{ts} {e.Node,-20} {e.Type,-28} {e.Topic,-22} {Summarize(d.Message!)}";
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

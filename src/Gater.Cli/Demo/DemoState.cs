using System.Collections.Concurrent;
using ExEsdbGater;

namespace Gater.Cli.Demo;

/// <summary>What the monitor has seen: the model behind the live view and the JSON summary.</summary>
internal sealed class DemoState
{
    private readonly Lock _lock = new();
    private readonly Queue<FeedLine> _alerts = new();
    private readonly Queue<FeedLine> _security = new();
    private readonly Queue<FeedLine> _logs = new();

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    public ConcurrentDictionary<string, NodeView> Nodes { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<GaterInstance, long> VerifiedByInstance { get; } = new();

    public ConcurrentDictionary<RejectReason, long> RejectedByReason { get; } = new();

    public ConcurrentDictionary<string, long> TypesSeen { get; } = new(StringComparer.Ordinal);

    public long Verified;
    public long Rejected;
    public long Gaps;
    public string? ClusterStatus;

    /// <summary>Redis outages (null in-process).</summary>
    public Outages? Outages;

    /// <summary>Publishes that failed so far, all nodes.</summary>
    public Func<long> FailedPublishes = () => 0;

    public sealed class NodeView
    {
        public string Status = "unknown";
        public double? Load;
        public double? Memory;
        public double? Disk;
        public double? Cpu;
        public double? LatencyP99;
        public double? Throughput;
        public long Messages;
        public DateTimeOffset LastSeen;
    }

    public void Accept(Delivery d)
    {
        var e = d.Envelope!;
        Interlocked.Increment(ref Verified);
        VerifiedByInstance.AddOrUpdate(e.Instance, 1, (_, n) => n + 1);
        TypesSeen.AddOrUpdate(e.Type, 1, (_, n) => n + 1);
        var node = Nodes.GetOrAdd(e.Node, _ => new NodeView());
        Interlocked.Increment(ref node.Messages);
        node.LastSeen = DateTimeOffset.UtcNow;
        switch (d.Message)
        {
            case NodeHealth h:
                var target = Nodes.GetOrAdd(h.Node, _ => new NodeView());
                target.Status = WireEnum<NodeHealthStatus>.Name(h.Status);
                target.Load = h.LoadAvg;
                target.Memory = h.MemoryUsage;
                target.Disk = h.DiskUsage;
                break;
            case ClusterHealth c:
                ClusterStatus = $"{WireEnum<HealthStatus>.Name(c.Status)} ({c.HealthyNodes}/{c.TotalNodes} healthy, quorum {(c.QuorumStatus is { } q ? WireEnum<QuorumStatus>.Name(q) : "?")})";
                break;
            case ResourceUsage { ResourceType: ResourceType.Cpu } r:
                node.Cpu = r.UsagePercent;
                break;
            case LatencyMetric { Percentile: LatencyPercentile.P99 } l:
                node.LatencyP99 = l.LatencyMs;
                break;
            case ThroughputMetric t:
                node.Throughput = t.RatePerSec;
                break;
            case SystemAlert a:
                Push(_alerts, new FeedLine(Color(a.Severity), WireEnum<AlertSeverity>.Name(a.Severity), a.Title, $"{a.AlertId[..6]} {Short(e.Node)}"));
                break;
            case AlertAck a:
                Push(_alerts, new FeedLine("green", "ack", $"{a.AlertId[..6]} by {a.AckBy}", ""));
                break;
            case AlertEscalation a:
                Push(_alerts, new FeedLine("orange1", "escalated", $"{a.AlertId[..6]} {WireEnum<EscalationLevel>.Name(a.FromLevel)}→{WireEnum<EscalationLevel>.Name(a.ToLevel)}", ""));
                break;
            case AuthEvent a when a.EventType == AuthEventType.LoginFailure:
                Push(_security, new FeedLine("yellow", "login failure", $"{a.UserId} from {a.SourceIp ?? "?"}", ""));
                break;
            case AccessViolation v:
                Push(_security, new FeedLine("red", WireEnum<ViolationType>.Name(v.ViolationType), v.Resource, ""));
                break;
            case SecurityAlert s:
                Push(_security, new FeedLine("red bold", WireEnum<SecurityAlertType>.Name(s.AlertType), s.Description, ""));
                break;
            case AdminAction a:
                Push(_security, new FeedLine("blue", "admin", $"{a.AdminUserId} {WireEnum<AdminActionType>.Name(a.ActionType)} {a.TargetResource}", ""));
                break;
            case LogEntry { Level: LogEntryLevel.Error or LogEntryLevel.Critical or LogEntryLevel.Warn } l:
                Push(_logs, new FeedLine(l.Level == LogEntryLevel.Warn ? "yellow" : "red", WireEnum<LogEntryLevel>.Name(l.Level), l.Message, Short(e.Node)));
                break;
        }
    }

    public void Reject(FrameRejection r)
    {
        Interlocked.Increment(ref Rejected);
        RejectedByReason.AddOrUpdate(r.Reason, 1, (_, n) => n + 1);
    }

    /// <summary>The latest alerts, newest first.</summary>
    public FeedLine[] Alerts() => Snapshot(_alerts);

    public FeedLine[] Security() => Snapshot(_security);

    public FeedLine[] Logs() => Snapshot(_logs);

    private FeedLine[] Snapshot(Queue<FeedLine> q)
    {
        lock (_lock)
        {
            return q.Reverse().ToArray();
        }
    }

    private void Push(Queue<FeedLine> q, FeedLine line)
    {
        lock (_lock)
        {
            q.Enqueue(line);
            while (q.Count > 7)
            {
                q.Dequeue();
            }
        }
    }

    private static string Color(AlertSeverity s) => s switch
    {
        AlertSeverity.Critical => "red bold",
        AlertSeverity.Error => "red",
        AlertSeverity.Warning => "yellow",
        _ => "grey",
    };

    internal static string Esc(string s) => Spectre.Console.Markup.Escape(s);

    internal static string Short(string node) => node[..node.IndexOf('@', StringComparison.Ordinal)];
}

/// <summary>One line of a feed, plain text: the view fits it to the width before adding colour.</summary>
/// <param name="Style">Spectre style of the tag.</param>
/// <param name="Tag">What happened (severity, kind).</param>
/// <param name="Text">The description.</param>
/// <param name="Note">Where from; the first thing left out when space is short.</param>
internal sealed record FeedLine(string Style, string Tag, string Text, string Note);

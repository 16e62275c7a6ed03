using System.Text.Json;
using ExEsdbGater.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ExEsdbGater.Dashboard;

/// <summary>
/// Watches all ten instances and the rejected frames of the app's bus, keeps bounded state, and renders it as one
/// JSON snapshot per change (shared by every page, so a page costs no more than the snapshot it is sent).
/// </summary>
internal sealed class DashboardAggregator(IGaterBus bus, IOptions<GaterDashboardOptions> options, TimeProvider time) : IHostedService, IAsyncDisposable
{
    private const int MaxTextLength = 300;
    private readonly GaterDashboardOptions _options = options.Value;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AlertState> _alerts = new(StringComparer.Ordinal);
    private readonly Queue<string> _alertOrder = new();
    private readonly Dictionary<string, long> _rejectedByReason = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MetricSeries> _rejectionSeries = new(StringComparer.Ordinal);
    private readonly Queue<DashboardEntry> _rejections = new();
    private readonly Queue<DashboardEntry> _audit = new();
    private readonly Queue<DashboardEntry> _security = new();
    private readonly Queue<DashboardEntry> _logs = new();
    private readonly List<IGaterSubscription> _subscriptions = [];
    private readonly Dictionary<string, long> _dropped = new(StringComparer.Ordinal);
    private long _verified;
    private long _rejected;
    private long _version;
    private long _snapshotVersion = -1;
    private long _snapshotAt;
    private byte[] _snapshot = [];

    /// <summary>Grows by one on every change; a page is sent a snapshot only when it moved.</summary>
    public long Version => Interlocked.Read(ref _version);

    public IGaterBus Bus => bus;

    public GaterDashboardOptions Options => _options;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        bus.FrameRejected += OnRejected;
        bus.SlowConsumerDetected += OnSlow;
        foreach (var instance in GaterInstances.All)
        {
            // its own queue, dropping the oldest when full: the dashboard never slows the bus; on durable instances
            // its own group, so that it never takes messages from the app's consumers
            var sub = await bus.SubscribeAsync(instance, "*", OnDelivery, new SubscriptionOptions
            {
                Capacity = 10_000,
                FullMode = QueueFullMode.DropOldest,
                Name = SubscriptionPrefix + instance.WireName(),
                Group = bus.Node + "/dashboard",
            }, cancellationToken).ConfigureAwait(false);
            _subscriptions.Add(sub);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        bus.FrameRejected -= OnRejected;
        bus.SlowConsumerDetected -= OnSlow;
        foreach (var s in _subscriptions)
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }
        _subscriptions.Clear();
    }

    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));

    /// <summary>The alert's topic, when the dashboard has seen it (only those can be acknowledged from the page).</summary>
    public string? AlertTopic(string alertId)
    {
        lock (_lock)
        {
            return _alerts.TryGetValue(alertId, out var a) ? a.Topic : null;
        }
    }

    private const string SubscriptionPrefix = "exesdbgater.dashboard ";

    // what the dashboard's own queues dropped under a burst: shown, so that its counts are not taken for the bus's
    private void OnSlow(SlowConsumer slow)
    {
        if (!slow.Subscription.StartsWith(SubscriptionPrefix, StringComparison.Ordinal))
        {
            return;
        }
        lock (_lock)
        {
            _dropped[slow.Subscription] = Math.Max(_dropped.GetValueOrDefault(slow.Subscription), slow.Dropped);
            _version++;
        }
    }

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private void OnRejected(FrameRejection r)
    {
        var now = Now;
        var reason = r.Reason.WireName();
        lock (_lock)
        {
            _rejected++;
            _rejectedByReason[reason] = _rejectedByReason.GetValueOrDefault(reason) + 1;
            if (!_rejectionSeries.TryGetValue(reason, out var s))
            {
                _rejectionSeries[reason] = s = new MetricSeries();
            }
            s.Increment(now);
            // the envelope's node is what the frame claims, not proof: the page labels it as claimed
            Push(_rejections, new DashboardEntry(now, r.Envelope?.Node ?? "", reason, Clip($"{r.Instance.WireName()} {r.Topic}: {r.Detail}")));
            _version++;
        }
    }

    private void OnDelivery(Delivery d)
    {
        if (d.Envelope is not { } e || d.Message is not { } m)
        {
            return;
        }
        var now = Now;
        lock (_lock)
        {
            _verified++;
            var sender = Node(e.Node, now);
            sender.Messages++;
            switch (m)
            {
                case NodeHealth h:
                    var n = Node(h.Node, now);
                    n.Status = WireEnum<NodeHealthStatus>.Name(h.Status);
                    n.Load = h.LoadAvg;
                    n.Memory = h.MemoryUsage;
                    n.Disk = h.DiskUsage;
                    Record(n, "load", now, h.LoadAvg);
                    Record(n, "memory", now, h.MemoryUsage);
                    break;
                case NodeLifecycle l:
                    Node(l.Node, now).Lifecycle = WireEnum<NodeLifecycleEvent>.Name(l.Event);
                    break;
                case ResourceUsage { ResourceType: ResourceType.Cpu } r:
                    Record(sender, "cpu", now, r.UsagePercent);
                    break;
                case ThroughputMetric t:
                    Record(sender, "throughput", now, t.RatePerSec ?? (t.DurationMs > 0 ? t.Count * 1000.0 / t.DurationMs : null));
                    break;
                case LatencyMetric l:
                    Record(sender, "latency", now, l.LatencyMs);
                    break;
                case SystemAlert a:
                    AddAlert(new AlertState(a, e.Topic, now));
                    break;
                case AlertAck a when _alerts.TryGetValue(a.AlertId, out var acked):
                    acked.AckBy = a.AckBy;
                    acked.AckTime = now;
                    break;
                case AlertEscalation a when _alerts.TryGetValue(a.AlertId, out var escalated):
                    escalated.Escalation = WireEnum<EscalationLevel>.Name(a.ToLevel);
                    break;
                case LogEntry l:
                    Push(_logs, new DashboardEntry(now, e.Node, WireEnum<LogEntryLevel>.Name(l.Level), Clip($"{l.Module}: {l.Message}")));
                    break;
            }
            if (e.Instance == GaterInstance.Audit)
            {
                Push(_audit, new DashboardEntry(now, e.Node, e.Type, Clip(Summary(m))));
            }
            else if (e.Instance == GaterInstance.Security)
            {
                Push(_security, new DashboardEntry(now, e.Node, e.Type, Clip(Summary(m))));
            }
            _version++;
        }
    }

    private static void Record(NodeState node, string metric, long now, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            node.Record(metric, now, v);
        }
    }

    private NodeState Node(string name, long now)
    {
        if (!_nodes.TryGetValue(name, out var n))
        {
            if (_nodes.Count >= _options.MaxNodes)
            {
                _nodes.Remove(_nodes.MinBy(p => p.Value.LastHeard).Key);
            }
            _nodes[name] = n = new NodeState();
        }
        n.LastHeard = now;
        return n;
    }

    private void AddAlert(AlertState alert)
    {
        if (_alerts.ContainsKey(alert.Alert.AlertId))
        {
            return;
        }
        _alerts[alert.Alert.AlertId] = alert;
        _alertOrder.Enqueue(alert.Alert.AlertId);
        while (_alertOrder.Count > _options.MaxEntries)
        {
            _alerts.Remove(_alertOrder.Dequeue());
        }
    }

    private void Push(Queue<DashboardEntry> q, DashboardEntry entry)
    {
        q.Enqueue(entry);
        while (q.Count > _options.MaxEntries)
        {
            q.Dequeue();
        }
    }

    /// <summary>The message's own fields, without what every message has (tag, instance, time, node) and without empty ones.</summary>
    internal static string Summary(GaterMessage m)
    {
        // a record prints "Type { A = 1, B = x }": good enough for a one-line feed, trimmed of the repeated parts
        var text = m.ToString();
        var open = text.IndexOf(" { ", StringComparison.Ordinal);
        if (open < 0 || !text.EndsWith(" }", StringComparison.Ordinal))
        {
            return text;
        }
        var fields = text[(open + 3)..^2].Split(", ")
            .Where(f => !(f.StartsWith("Tag = ", StringComparison.Ordinal) || f.StartsWith("Instance = ", StringComparison.Ordinal)
                || f.StartsWith("Timestamp = ", StringComparison.Ordinal) || f.StartsWith("Node = ", StringComparison.Ordinal)
                || f.EndsWith(" = ", StringComparison.Ordinal) || f.EndsWith(" = {}", StringComparison.Ordinal)));
        return string.Join(", ", fields);
    }

    private static string Clip(string s) => s.Length <= MaxTextLength ? s : s[..MaxTextLength] + "…";

    /// <summary>The current state as UTF-8 JSON; rendered again when something changed, or a second passed (staleness moves with the clock).</summary>
    public ReadOnlyMemory<byte> Snapshot()
    {
        lock (_lock)
        {
            var now = Now;
            if (_snapshotVersion == _version && now - _snapshotAt < 1000)
            {
                return _snapshot;
            }
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                Write(w, now);
            }
            _snapshot = buffer.ToArray();
            _snapshotAt = now;
            _snapshotVersion = _version;
            return _snapshot;
        }
    }

    private void Write(Utf8JsonWriter w, long now)
    {
        w.WriteStartObject();
        w.WriteNumber("now", now);
        w.WriteString("self", bus.Node);
        w.WriteNumber("staleAfterMs", (long)_options.StaleAfter.TotalMilliseconds);
        w.WriteNumber("verified", _verified);
        w.WriteNumber("rejected", _rejected);
        w.WriteNumber("dropped", _dropped.Values.Sum());
        w.WriteStartArray("nodes");
        foreach (var (name, n) in _nodes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("status", n.Status);
            Number(w, "load", n.Load);
            Number(w, "memory", n.Memory);
            Number(w, "disk", n.Disk);
            w.WriteString("lifecycle", n.Lifecycle);
            w.WriteNumber("lastHeard", n.LastHeard);
            w.WriteBoolean("stale", now - n.LastHeard > _options.StaleAfter.TotalMilliseconds);
            w.WriteNumber("messages", n.Messages);
            w.WriteStartObject("series");
            foreach (var (metric, s) in n.Series.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Values(w, metric, s);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("alerts");
        // open alerts first, the most severe first, then the newest
        foreach (var a in _alertOrder.Reverse().Select(id => _alerts[id]).OrderBy(a => a.AckBy is not null).ThenByDescending(a => a.Alert.Severity))
        {
            var id = a.Alert.AlertId;
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("severity", WireEnum<AlertSeverity>.Name(a.Alert.Severity));
            w.WriteString("category", WireEnum<AlertCategory>.Name(a.Alert.Category));
            w.WriteString("title", a.Alert.Title);
            w.WriteString("description", a.Alert.Description);
            w.WriteString("source", a.Alert.Source);
            w.WriteString("node", a.Alert.Node);
            w.WriteNumber("time", a.Time);
            w.WriteString("ackBy", a.AckBy);
            w.WriteString("escalation", a.Escalation);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("rejections");
        w.WriteStartObject("byReason");
        foreach (var (reason, count) in _rejectedByReason.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(reason, count);
        }
        w.WriteEndObject();
        w.WriteStartObject("series");
        foreach (var (reason, s) in _rejectionSeries.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Values(w, reason, s);
        }
        w.WriteEndObject();
        Entries(w, "last", _rejections);
        w.WriteEndObject();
        Entries(w, "audit", _audit);
        Entries(w, "security", _security);
        Entries(w, "logs", _logs);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, Math.Round(v, 2));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Values(Utf8JsonWriter w, string name, MetricSeries s)
    {
        w.WriteStartArray(name);
        foreach (var v in s.Values)
        {
            w.WriteNumberValue(Math.Round(v, 2));
        }
        w.WriteEndArray();
    }

    private static void Entries(Utf8JsonWriter w, string name, Queue<DashboardEntry> q)
    {
        w.WriteStartArray(name);
        foreach (var e in q.Reverse())
        {
            w.WriteStartObject();
            w.WriteNumber("time", e.Time);
            w.WriteString("node", e.Node);
            w.WriteString("kind", e.Kind);
            w.WriteString("text", e.Text);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}

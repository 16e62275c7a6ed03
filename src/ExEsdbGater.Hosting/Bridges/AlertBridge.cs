using System.Globalization;
using System.Text.Json;
using HealthReport = Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport;
using HealthReportEntry = Microsoft.Extensions.Diagnostics.HealthChecks.HealthReportEntry;
using IHealthCheckPublisher = Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheckPublisher;
using MsHealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace ExEsdbGater.Hosting.Bridges;

/// <summary>
/// Raises alerts when health checks turn unhealthy or degraded, and follows the catalog's ack flow: an AlertAck
/// from anyone acknowledges; recovery is acknowledged by this node with a resolution.
/// </summary>
internal sealed class AlertBridge(GaterBusRuntime runtime, GaterAlertBridgeOptions options) : GaterBridge, IHealthCheckPublisher
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, OpenAlert> _open = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _raised = new();
    private IGaterSubscription? _acks;
    private long _skipped;

    /// <summary>Alerts raised and not yet resolved, by check name.</summary>
    public IReadOnlyDictionary<string, OpenAlert> Open
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, OpenAlert>(_open, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Alerts not raised because of the rate limit.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    public override async Task StartingAsync(CancellationToken cancellationToken)
        => _acks = await runtime.Bus.SubscribeAsync<AlertAck>("*", OnAck, cancellationToken: cancellationToken).ConfigureAwait(false);

    public override async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_acks is not null)
        {
            await _acks.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (runtime.Phase is not (GaterBusPhase.Starting or GaterBusPhase.Started or GaterBusPhase.Stopping))
        {
            return;
        }
        var bus = runtime.Bus;
        var ctx = runtime.Context;
        foreach (var (name, entry) in report.Entries)
        {
            if (entry.Status == MsHealthStatus.Healthy)
            {
                OpenAlert? resolved;
                lock (_lock)
                {
                    _open.Remove(name, out resolved);
                }
                if (resolved is not null)
                {
                    var note = resolved.AckedBy is null ? "not acknowledged before recovery" : $"acknowledged by {resolved.AckedBy}";
                    await bus.BroadcastAsync(AlertMessages.NotificationsTopic, AlertMessages.AlertAck(resolved.AlertId, ctx.Node, ackNote: note, resolution: $"{name} is healthy again", messageContext: ctx), cancellationToken).ConfigureAwait(false);
                }
                continue;
            }
            if (entry.Status == MsHealthStatus.Degraded && !options.AlertOnDegraded)
            {
                continue;
            }
            var severity = entry.Status == MsHealthStatus.Unhealthy ? options.UnhealthySeverity : AlertSeverity.Warning;
            if (!TryRaise(name, severity))
            {
                continue;
            }
            var description = entry.Exception?.Message ?? entry.Description ?? $"The health check {name} reports {entry.Status}.";
            var metadata = JsonValues.Map(entry.Data.Select(d => new KeyValuePair<string, object?>(d.Key, d.Value)).Append(new("status", entry.Status.ToString())));
            var alert = AlertMessages.SystemAlert(severity, AlertCategory.System, JsonValues.Cut($"{name} is {entry.Status.ToString().ToLowerInvariant()}", 200), JsonValues.Cut(description, JsonValues.MaxStringLength), $"health:{name}", metadata: metadata, messageContext: ctx);
            lock (_lock)
            {
                _open[name] = new OpenAlert(alert.AlertId, severity);
            }
            var topic = severity == AlertSeverity.Critical ? AlertMessages.CriticalTopic : AlertMessages.WarningsTopic;
            await bus.BroadcastAsync(topic, alert, cancellationToken).ConfigureAwait(false);
            if (MetricAlertOf(name, entry, ctx) is { } metric)
            {
                await bus.BroadcastAsync(MetricsMessages.PerformanceTopic, metric, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // An alert is raised once per check and severity, and at most MaxAlertsPerMinute in any minute.
    private bool TryRaise(string name, AlertSeverity severity)
    {
        var now = runtime.Time.GetUtcNow();
        lock (_lock)
        {
            if (_open.TryGetValue(name, out var open) && open.Severity >= severity)
            {
                return false;
            }
            while (_raised.Count > 0 && now - _raised.Peek() >= TimeSpan.FromMinutes(1))
            {
                _raised.Dequeue();
            }
            if (_raised.Count >= options.MaxAlertsPerMinute)
            {
                Interlocked.Increment(ref _skipped);
                return false;
            }
            _raised.Enqueue(now);
            return true;
        }
    }

    private void OnAck(AlertAck ack, Envelope envelope)
    {
        lock (_lock)
        {
            foreach (var (name, open) in _open)
            {
                if (open.AlertId == ack.AlertId && open.AckedBy is null && ack.Resolution is null)
                {
                    _open[name] = open with { AckedBy = ack.AckBy };
                    return;
                }
            }
        }
    }

    // By convention a check's data may name the figure that failed: value, threshold, and optionally metric and threshold_type (min|max).
    private static MetricAlert? MetricAlertOf(string name, HealthReportEntry entry, MessageContext ctx)
    {
        if (!TryNumber(entry.Data, "value", out var value) || !TryNumber(entry.Data, "threshold", out var threshold))
        {
            return null;
        }
        var metric = entry.Data.TryGetValue("metric", out var m) && m is string s && s.Length > 0 ? s : name;
        var type = entry.Data.TryGetValue("threshold_type", out var t) && string.Equals(t as string, "min", StringComparison.OrdinalIgnoreCase) ? ThresholdType.Min : ThresholdType.Max;
        var severity = entry.Status == MsHealthStatus.Unhealthy ? MetricAlertSeverity.Critical : MetricAlertSeverity.Warning;
        return MetricsMessages.MetricAlert(metric, value, threshold, type, severity, messageContext: ctx);
    }

    private static bool TryNumber(IReadOnlyDictionary<string, object> data, string key, out double value)
    {
        value = 0;
        if (!data.TryGetValue(key, out var v))
        {
            return false;
        }
        value = v switch
        {
            IConvertible c when v is not string and not bool => c.ToDouble(CultureInfo.InvariantCulture),
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            _ => double.NaN,
        };
        return double.IsFinite(value);
    }

    /// <summary>An alert raised for a check and not yet resolved.</summary>
    /// <param name="AlertId">Its id, which an AlertAck names.</param>
    /// <param name="Severity">Its severity.</param>
    /// <param name="AckedBy">Who acknowledged it, once someone has.</param>
    internal sealed record OpenAlert(string AlertId, AlertSeverity Severity, string? AckedBy = null);
}

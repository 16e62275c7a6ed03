// The catalog's "custom" rules: the only factory logic that is not a plain default.
using System.Text.Json;

namespace ExEsdbGater.Messages;

public static partial class MetricsMessages
{
    private static partial double ThroughputMetricRatePerSec(long count, long durationMs)
        => durationMs > 0 ? count / (durationMs / 1000.0)
            : throw new ArgumentOutOfRangeException(nameof(durationMs), durationMs, "duration_ms must be positive to compute rate_per_sec.");
}

public static partial class LifecycleMessages
{
    private static partial long ClusterMembershipTotalNodes(ValueList<string> activeNodes) => activeNodes.Count;
}

public static partial class AlertMessages
{
    // The original acknowledges by default only what can wake someone up.
    private static partial bool SystemAlertRequiresAck(AlertSeverity severity) => severity is AlertSeverity.Error or AlertSeverity.Critical;
}

public static partial class LoggingMessages
{
    private static partial long LogSummaryTotalLogs(JsonMap logCounts)
    {
        long total = 0;
        foreach (var (key, value) in logCounts)
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var n))
            {
                throw new ArgumentException($"log_counts['{key}'] is not an integer, so total_logs cannot be summed; pass totalLogs.", nameof(logCounts));
            }
            total += n;
        }
        return total;
    }
}

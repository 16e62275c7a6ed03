// The hand-written part of MetricsMessages: factory values the catalog marks "custom" (the rest is generated).

namespace ExEsdbGater.Messages;

public static partial class MetricsMessages
{
    private static partial double ThroughputMetricRatePerSec(long count, long durationMs)
        => durationMs > 0 ? count / (durationMs / 1000.0)
            : throw new ArgumentOutOfRangeException(nameof(durationMs), durationMs, "duration_ms must be positive to compute rate_per_sec.");
}

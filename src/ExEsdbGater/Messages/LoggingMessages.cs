// The hand-written part of LoggingMessages: factory values the catalog marks "custom" (the rest is generated).
using System.Text.Json;

namespace ExEsdbGater.Messages;

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

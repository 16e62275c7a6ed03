namespace ExEsdbGater.Hosting;

/// <summary>Checks bridge settings when the bridge is added, so a bad one fails at registration with its name.</summary>
internal static class GaterOptionsCheck
{
    public static void LogBridge(GaterLogBridgeOptions o)
    {
        AtLeast(o.MaxPerSecond, 1, "GaterLogBridgeOptions.MaxPerSecond");
        AtLeast(o.QueueCapacity, 1, "GaterLogBridgeOptions.QueueCapacity");
        AtLeast(o.MaxMessageLength, 16, "GaterLogBridgeOptions.MaxMessageLength");
    }

    public static void MetricsBridge(GaterMetricsBridgeOptions o)
    {
        if (o.Interval < TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentOutOfRangeException(nameof(o), o.Interval, "GaterMetricsBridgeOptions.Interval must be at least 100 ms.");
        }
        AtLeast(o.MaxMessagesPerInterval, 1, "GaterMetricsBridgeOptions.MaxMessagesPerInterval");
    }

    public static void AlertBridge(GaterAlertBridgeOptions o) => AtLeast(o.MaxAlertsPerMinute, 1, "GaterAlertBridgeOptions.MaxAlertsPerMinute");

    private static void AtLeast(int value, int min, string name)
    {
        if (value < min)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {min}.");
        }
    }
}

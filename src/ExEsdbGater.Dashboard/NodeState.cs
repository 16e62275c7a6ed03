namespace ExEsdbGater.Dashboard;

/// <summary>What the dashboard knows of one node: its latest health and lifecycle, and small metric series.</summary>
internal sealed class NodeState
{
    public string Status { get; set; } = "unknown";

    public double? Load { get; set; }

    public double? Memory { get; set; }

    public double? Disk { get; set; }

    public string? Lifecycle { get; set; }

    public long LastHeard { get; set; }

    public long Messages { get; set; }

    public Dictionary<string, MetricSeries> Series { get; } = new(StringComparer.Ordinal);

    public void Record(string metric, long time, double value)
    {
        if (!Series.TryGetValue(metric, out var s))
        {
            Series[metric] = s = new MetricSeries();
        }
        s.Add(time, value);
    }
}

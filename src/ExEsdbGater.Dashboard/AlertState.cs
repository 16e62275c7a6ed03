namespace ExEsdbGater.Dashboard;

/// <summary>An alert as the dashboard shows it: what was raised, then whether it was acknowledged or escalated.</summary>
internal sealed class AlertState(SystemAlert alert, string topic, long time)
{
    public SystemAlert Alert { get; } = alert;

    /// <summary>Where it arrived: the acknowledgement goes to the same topic.</summary>
    public string Topic { get; } = topic;

    public long Time { get; } = time;

    public string? AckBy { get; set; }

    public long? AckTime { get; set; }

    public string? Escalation { get; set; }
}

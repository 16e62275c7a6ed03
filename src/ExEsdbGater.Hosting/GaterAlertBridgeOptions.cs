namespace ExEsdbGater.Hosting;

/// <summary>The alert bridge's settings (see <see cref="GaterBuilderExtensions.AddAlertBridge"/>).</summary>
public sealed class GaterAlertBridgeOptions
{
    /// <summary>The severity of the SystemAlert raised for an unhealthy check.</summary>
    /// <value>Default <see cref="AlertSeverity.Error"/> (which requires an acknowledgement).</value>
    public AlertSeverity UnhealthySeverity { get; set; } = AlertSeverity.Error;

    /// <summary>Whether a degraded check raises a Warning alert too.</summary>
    /// <value>Default true.</value>
    public bool AlertOnDegraded { get; set; } = true;

    /// <summary>The most alerts raised in any minute; later ones in it are skipped (and raised later if the check is still failing).</summary>
    /// <value>Default 20. At least 1.</value>
    public int MaxAlertsPerMinute { get; set; } = 20;
}

namespace ExEsdbGater.Dashboard;

/// <summary>Settings of the dashboard: who may see it, how long a quiet node stays fresh, how much it keeps.</summary>
public sealed class GaterDashboardOptions
{
    /// <summary>
    /// An access token that every request must carry (<c>?token=</c>, the <c>gater_token</c> cookie or the
    /// <c>X-Gater-Token</c> header). Required to serve a request that arrives on a non-loopback address, unless
    /// <see cref="AuthorizationPolicy"/> is set.
    /// </summary>
    /// <value>Default: null (loopback only).</value>
    public string? AccessToken { get; set; }

    /// <summary>The host app's authorization policy for the dashboard's endpoints; with it, non-loopback requests are the policy's to decide.</summary>
    /// <value>Default: null.</value>
    public string? AuthorizationPolicy { get; set; }

    /// <summary>How long after its last message a node is shown as stale.</summary>
    /// <value>Default: 10 seconds.</value>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The shortest time between two updates sent to a page.</summary>
    /// <value>Default: 100 ms (at most ten updates a second).</value>
    public TimeSpan UpdateInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How many entries each list keeps (alerts, rejections, audit, security, logs).</summary>
    /// <value>Default: 50.</value>
    public int MaxEntries { get; set; } = 50;

    /// <summary>How many nodes are kept; beyond it the longest quiet one is forgotten.</summary>
    /// <value>Default: 200.</value>
    public int MaxNodes { get; set; } = 200;

    /// <summary>Who acknowledges, in the <c>ack_by</c> field of the AlertAck the dashboard publishes.</summary>
    /// <value>Default: "dashboard".</value>
    public string AckBy { get; set; } = "dashboard";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    internal void Validate()
    {
        if (AccessToken is { } t && t.Length < 16)
        {
            throw new ArgumentException($"GaterDashboardOptions.AccessToken must be at least 16 characters (was {t.Length}).");
        }
        if (StaleAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException($"GaterDashboardOptions.StaleAfter must be above zero (was {StaleAfter}).");
        }
        if (UpdateInterval < TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentException($"GaterDashboardOptions.UpdateInterval must be at least 10 ms (was {UpdateInterval}).");
        }
        if (MaxEntries is < 1 or > 10_000)
        {
            throw new ArgumentException($"GaterDashboardOptions.MaxEntries must be from 1 to 10000 (was {MaxEntries}).");
        }
        if (MaxNodes is < 1 or > 10_000)
        {
            throw new ArgumentException($"GaterDashboardOptions.MaxNodes must be from 1 to 10000 (was {MaxNodes}).");
        }
        if (string.IsNullOrWhiteSpace(AckBy))
        {
            throw new ArgumentException("GaterDashboardOptions.AckBy must not be empty.");
        }
    }
}

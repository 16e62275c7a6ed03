using System.ComponentModel.DataAnnotations;

namespace ExEsdbGater.Hosting;

/// <summary>The receiver's freshness window and replay memory (section <c>ExEsdbGater:Verifier</c>); see <see cref="VerifierOptions"/>.</summary>
public sealed class GaterVerifierSettings
{
    private static readonly VerifierOptions Core = new();

    /// <summary>Frames older than this are rejected as expired.</summary>
    /// <value>Default 5 minutes. Not negative.</value>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807")]
    public TimeSpan MaxAge { get; set; } = Core.MaxAge;

    /// <summary>Frames dated further ahead than this are rejected as from the future.</summary>
    /// <value>Default 30 seconds. Not negative.</value>
    [Range(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807")]
    public TimeSpan MaxSkew { get; set; } = Core.MaxSkew;

    /// <summary>(node, id) pairs remembered for replay detection.</summary>
    /// <value>Default 1,000,000. At least 1.</value>
    [Range(1, int.MaxValue)]
    public int ReplayCapacity { get; set; } = Core.ReplayCapacity;
}

namespace ExEsdbGater.Backplanes;

/// <summary>Thrown when a backplane cannot reach its medium (for example, Redis is unreachable at connect).</summary>
public sealed class GaterBackplaneException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GaterBackplaneException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public GaterBackplaneException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public GaterBackplaneException() { }
}

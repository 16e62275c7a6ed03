namespace ExEsdbGater.Frames;

/// <summary>Thrown when a frame cannot be signed: no secret is configured and unsigned mode is off.</summary>
public sealed class GaterSecurityException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GaterSecurityException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public GaterSecurityException() { }

    /// <summary>Creates the exception.</summary>
    public GaterSecurityException(string message, Exception inner) : base(message, inner) { }
}

namespace ExEsdbGater;

/// <summary>A configuration problem found at start-up (bad node name, short secret, …).</summary>
public sealed class GaterConfigurationException : Exception
{
    /// <summary>Creates the exception with a message naming the problem.</summary>
    public GaterConfigurationException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public GaterConfigurationException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public GaterConfigurationException() { }
}

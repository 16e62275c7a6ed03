namespace ExEsdbGater.Beam.Distribution;

/// <summary>A distribution failure with its <see cref="Error"/> and a message naming the peer and the cause.</summary>
internal sealed class DistributionException : Exception
{
    public DistributionException(DistributionError error, string message, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
    }

    public DistributionException()
        : this(DistributionError.ProtocolViolation, "distribution failure")
    {
    }

    public DistributionException(string message)
        : this(DistributionError.ProtocolViolation, message)
    {
    }

    public DistributionException(string message, Exception inner)
        : this(DistributionError.ProtocolViolation, message, inner)
    {
    }

    public DistributionError Error { get; }
}

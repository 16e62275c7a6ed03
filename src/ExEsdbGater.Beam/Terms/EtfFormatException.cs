namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// Bytes that are not a well-formed term within the <see cref="TermLimits"/>. The only exception
/// <see cref="EtfReader"/> throws; the message says what was wrong and at which byte offset.
/// </summary>
internal sealed class EtfFormatException : Exception
{
    public EtfFormatException()
    {
    }

    public EtfFormatException(string message)
        : base(message)
    {
    }

    public EtfFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EtfFormatException(string message, int offset)
        : base($"{message} (at byte {offset})")
    {
        Offset = offset;
    }

    /// <summary>The offset in the input of the problem (for a compressed term: in its uncompressed bytes).</summary>
    public int Offset { get; } = -1;
}

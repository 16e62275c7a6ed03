using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ExEsdbGater.Backplanes;
using ExEsdbGater.Frames;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

/// <summary>Thrown when Redis cannot be reached.</summary>
public sealed class GaterBackplaneException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GaterBackplaneException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public GaterBackplaneException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public GaterBackplaneException() { }
}

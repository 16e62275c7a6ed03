using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater;

/// <summary>Bus settings. Defaults: this node from <see cref="NodeName.Resolve"/>, keys from <see cref="KeyRing.Create"/>, no backplane.</summary>
public sealed record GaterBusOptions
{
    /// <summary>This node's name; null resolves it from <c>EXG_NODE_NAME</c> or the process and host.</summary>
    public string? NodeName { get; init; }

    /// <summary>The key ring; null builds it from the environment (<c>SECRET_KEY_BASE</c>).</summary>
    public KeyRing? Keys { get; init; }

    /// <summary>The transport to other processes; null keeps the bus inside this process.</summary>
    public IGaterBackplane? Backplane { get; init; }

    /// <summary>Receiver checks (max age, skew, replay memory, clock).</summary>
    public VerifierOptions Verifier { get; init; } = new();

    /// <summary>Frames received from the backplane and not yet verified; beyond it they are dropped and counted. Default 65,536.</summary>
    public int InboundCapacity { get; init; } = 65_536;

    /// <summary>Where the bus logs. Default: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}

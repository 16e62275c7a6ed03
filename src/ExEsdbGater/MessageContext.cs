using System.Security.Cryptography;

namespace ExEsdbGater;

/// <summary>What factories need from their surroundings: this node's name, a clock and randomness.</summary>
public sealed class MessageContext
{
    private static MessageContext? _default;

    /// <summary>Creates a context.</summary>
    /// <param name="node">This node's name; must be valid.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <exception cref="GaterConfigurationException">The node name is not valid.</exception>
    public MessageContext(string node, TimeProvider? timeProvider = null)
    {
        Node = NodeName.Resolve(node ?? throw new ArgumentNullException(nameof(node)));
        Time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// The context used when a factory is given none: this node from <see cref="NodeName.Resolve"/> and the system clock.
    /// Set it once at start-up to name the node in code.
    /// </summary>
    public static MessageContext Default
    {
        get => _default ??= new MessageContext(NodeName.Resolve());
        set => _default = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>This node's name.</summary>
    public string Node { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The current UTC time truncated to milliseconds.</summary>
    public DateTimeOffset Now() => Instant.TruncateToMilliseconds(Time.GetUtcNow());

    /// <summary>A string of <paramref name="chars"/> random lowercase hex characters.</summary>
    public string RandomHex(int chars)
    {
        Span<byte> bytes = stackalloc byte[(chars + 1) / 2];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes)[..chars];
    }
}

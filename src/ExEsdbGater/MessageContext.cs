using System.Security.Cryptography;

namespace ExEsdbGater;

/// <summary>What factories need from their surroundings: this node's name, a clock and randomness.</summary>
/// <remarks>
/// A bus has its own (<see cref="IGaterBus.Context"/>: the bus's node and clock). A factory given no context uses
/// <see cref="Default"/>, and a bus that publishes such a message binds the node fields the factory filled from it
/// to the bus's own node, so a message and its envelope always name the same node.
/// </remarks>
public sealed class MessageContext
{
    private static MessageContext? _default;

    // Only the process default resolves its node late, so a bad EXG_NODE_NAME fails where the name is needed.
    private readonly Func<string>? _resolve;
    private string? _node;

    /// <summary>Creates a context.</summary>
    /// <param name="node">This node's name; must be valid.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    /// <exception cref="GaterConfigurationException">The node name is not valid.</exception>
    public MessageContext(string node, TimeProvider? timeProvider = null)
    {
        _node = NodeName.Resolve(node ?? throw new ArgumentNullException(nameof(node)));
        Time = timeProvider ?? TimeProvider.System;
    }

    private MessageContext(Func<string> resolve)
    {
        _resolve = resolve;
        Time = TimeProvider.System;
    }

    /// <summary>
    /// The context used when a factory is given none: the system clock, and this process's node from
    /// <see cref="NodeName.Resolve"/> (<c>EXG_NODE_NAME</c>, else <c>process@host</c>), resolved when first needed.
    /// Set it once at start-up to name the node in code.
    /// </summary>
    /// <remarks>
    /// A bad <c>EXG_NODE_NAME</c> fails only where this default node is read: a factory given its node fields or a
    /// context, and a bus with <see cref="GaterBusOptions.NodeName"/>, never read it.
    /// </remarks>
    public static MessageContext Default
    {
        get => _default ??= new MessageContext(static () => NodeName.Resolve());
        set => _default = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>This node's name.</summary>
    /// <exception cref="GaterConfigurationException">For <see cref="Default"/>: <c>EXG_NODE_NAME</c> is not a valid node name.</exception>
    public string Node => _node ??= ResolveDefault();

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

    /// <summary>Forgets <see cref="Default"/>, so the next read builds it from the environment again (a test seam).</summary>
    internal static void ResetDefault() => _default = null;

    private string ResolveDefault()
    {
        try
        {
            return _resolve!();
        }
        catch (GaterConfigurationException ex)
        {
            // not cached: a corrected environment is picked up on the next read
            throw new GaterConfigurationException($"{ex.Message} It names this process's node wherever no node is given; give the node (GaterBusOptions.NodeName, messageContext: bus.Context) or set MessageContext.Default.", ex);
        }
    }
}

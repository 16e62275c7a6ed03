namespace ExEsdbGater.Messages;

/// <summary>
/// Thrown by <see cref="MessageCatalog.Create"/> when the arguments cannot build the message: an unknown field, a
/// missing factory argument, a value of the wrong kind, or one the factory or validator refuses. The message is one
/// plain line naming the type and the field.
/// </summary>
public sealed class MessageArgumentException : ArgumentException
{
    internal MessageArgumentException(string tag, string? field, string problem, Exception? inner = null)
        : base($"{tag}: {problem}", inner)
    {
        Tag = tag;
        Field = field;
    }

    /// <summary>The message tag being built, e.g. <c>node_health_updated</c>.</summary>
    public string Tag { get; }

    /// <summary>The field at fault (wire name), or null when the arguments as a whole are wrong.</summary>
    public string? Field { get; }
}

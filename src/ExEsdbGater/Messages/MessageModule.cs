namespace ExEsdbGater.Messages;

/// <summary>A message module: the typed catalog of one instance.</summary>
public sealed class MessageModule
{
    internal MessageModule()
    {
    }

    /// <summary>The module name, e.g. <c>HealthMessages</c>.</summary>
    public string Name { get; internal init; } = "";

    /// <summary>The instance.</summary>
    public GaterInstance Instance { get; internal init; }

    /// <summary>The static class holding the factories and topics.</summary>
    public Type FactoryClass { get; internal init; } = typeof(MessageCatalog);

    /// <summary>The payload types in catalog order.</summary>
    public IReadOnlyList<MessageTypeInfo> Types { get; internal init; } = [];

    /// <summary>The module's common topic names.</summary>
    public IReadOnlyList<string> CommonTopics { get; internal init; } = [];

    /// <summary>The payload type with this tag, or null.</summary>
    public MessageTypeInfo? FindType(string tag) => Types.FirstOrDefault(t => t.Tag == tag);

    /// <inheritdoc />
    public override string ToString() => Name;
}

namespace ExEsdbGater.Messages;

/// <summary>A message module: the typed catalog of one instance.</summary>
public sealed class MessageModule
{
    internal MessageModule(string name, GaterInstance instance, Type factoryClass, IReadOnlyList<string> commonTopics, IReadOnlyList<MessageTypeInfo> types)
    {
        Name = name;
        Instance = instance;
        FactoryClass = factoryClass;
        Types = types;
        CommonTopics = commonTopics;
    }

    /// <summary>The module name, e.g. <c>HealthMessages</c>.</summary>
    public string Name { get; }

    /// <summary>The instance.</summary>
    public GaterInstance Instance { get; }

    /// <summary>The static class holding the factories and topics.</summary>
    public Type FactoryClass { get; }

    /// <summary>The payload types in catalog order.</summary>
    public IReadOnlyList<MessageTypeInfo> Types { get; }

    /// <summary>The module's common topic names.</summary>
    public IReadOnlyList<string> CommonTopics { get; }

    /// <summary>The payload type with this tag, or null.</summary>
    public MessageTypeInfo? FindType(string tag) => Types.FirstOrDefault(t => t.Tag == tag);

    /// <inheritdoc />
    public override string ToString() => Name;
}

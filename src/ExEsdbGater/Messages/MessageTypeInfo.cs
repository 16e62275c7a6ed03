using System.Text.Json.Serialization.Metadata;

namespace ExEsdbGater.Messages;

/// <summary>One payload type of the catalog, as implemented.</summary>
public sealed class MessageTypeInfo
{
    internal MessageTypeInfo(Type clrType, string tag, GaterInstance instance, string module, string factory, IReadOnlyList<string> arguments, IReadOnlyList<MessageFieldInfo> fields)
    {
        ClrType = clrType;
        Tag = tag;
        Instance = instance;
        Module = module;
        Factory = factory;
        Arguments = arguments;
        Fields = fields;
        JsonTypeInfo = PayloadJson.Options.GetTypeInfo(clrType);
        FieldIndex = fields.Select((f, i) => (f.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The record type.</summary>
    public Type ClrType { get; }

    /// <summary>The type name, e.g. <c>NodeHealth</c>.</summary>
    public string Name => ClrType.Name;

    /// <summary>The wire tag, e.g. <c>node_health_updated</c>.</summary>
    public string Tag { get; }

    /// <summary>The instance the type travels on.</summary>
    public GaterInstance Instance { get; }

    /// <summary>The module name, e.g. <c>HealthMessages</c>.</summary>
    public string Module { get; }

    /// <summary>The factory's catalog name, e.g. <c>node_health</c>.</summary>
    public string Factory { get; }

    /// <summary>The factory's required arguments (wire names), in order.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The fields, in wire order.</summary>
    public IReadOnlyList<MessageFieldInfo> Fields { get; }

    internal JsonTypeInfo JsonTypeInfo { get; }

    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> FieldIndex { get; }
}

using System.Text.Json.Serialization.Metadata;

namespace ExEsdbGater.Messages;

/// <summary>One payload type of the catalog, as implemented (generated from the catalog).</summary>
public sealed class MessageTypeInfo
{
    private Dictionary<string, int>? _fieldIndex;

    internal MessageTypeInfo()
    {
    }

    /// <summary>The record type.</summary>
    public Type ClrType { get; internal init; } = typeof(GaterMessage);

    /// <summary>The type name, e.g. <c>NodeHealth</c>.</summary>
    public string Name => ClrType.Name;

    /// <summary>The wire tag, e.g. <c>node_health_updated</c>.</summary>
    public string Tag { get; internal init; } = "";

    /// <summary>The instance the type travels on.</summary>
    public GaterInstance Instance { get; internal init; }

    /// <summary>The module name, e.g. <c>HealthMessages</c>.</summary>
    public string Module { get; internal init; } = "";

    /// <summary>The factory's catalog name, e.g. <c>node_health</c>.</summary>
    public string Factory { get; internal init; } = "";

    /// <summary>The factory's required arguments (wire names), in order.</summary>
    public IReadOnlyList<string> Arguments { get; internal init; } = [];

    /// <summary>The fields, in wire order.</summary>
    public IReadOnlyList<MessageFieldInfo> Fields { get; internal init; } = [];

    // Built on first use; a race builds the same value twice, which is harmless.
    internal JsonTypeInfo JsonTypeInfo => field ??= PayloadJson.Options.GetTypeInfo(ClrType);

    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> FieldIndex
        => (_fieldIndex ??= Fields.Select((f, i) => (f.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal))
            .GetAlternateLookup<ReadOnlySpan<char>>();
}

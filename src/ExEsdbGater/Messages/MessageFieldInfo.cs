namespace ExEsdbGater.Messages;

/// <summary>One field of a payload type, as implemented (generated from the catalog).</summary>
public sealed class MessageFieldInfo
{
    internal MessageFieldInfo()
    {
    }

    /// <summary>The wire name (snake_case).</summary>
    public string Name { get; internal init; } = "";

    /// <summary>The JSON kind.</summary>
    public FieldKind Kind { get; internal init; }

    /// <summary>True when the field must be present and not null.</summary>
    public bool Required { get; internal init; }

    /// <summary>The allowed values of an enum field; empty otherwise.</summary>
    public IReadOnlyList<string> Values { get; internal init; } = [];

    /// <summary>The kind of a list's elements (string or map), or null.</summary>
    public FieldKind? ElementKind { get; internal init; }

    /// <summary>True for <c>node</c>, <c>originating_node</c> and <c>reporting_node</c>: values must be node names.</summary>
    public bool IsNodeField => Name is "node" or "originating_node" or "reporting_node";

    /// <summary>The property's CLR type, e.g. <c>double?</c>.</summary>
    internal Type ValueType { get; init; } = typeof(object);

    internal Func<GaterMessage, object?> Getter { get; init; } = static _ => null;

    internal object? GetValue(GaterMessage message) => Getter(message);
}

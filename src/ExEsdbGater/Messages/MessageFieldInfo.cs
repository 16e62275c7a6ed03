namespace ExEsdbGater.Messages;

/// <summary>One field of a payload type, as implemented.</summary>
public sealed class MessageFieldInfo
{
    internal MessageFieldInfo(string name, FieldKind kind, bool required, IReadOnlyList<string> values, FieldKind? elementKind, Type valueType, Func<GaterMessage, object?> getter)
    {
        Name = name;
        Kind = kind;
        Required = required;
        Values = values;
        ElementKind = elementKind;
        ValueType = valueType;
        _getter = getter;
        IsNodeField = name is "node" or "originating_node" or "reporting_node";
    }

    /// <summary>The wire name (snake_case).</summary>
    public string Name { get; }

    /// <summary>The JSON kind.</summary>
    public FieldKind Kind { get; }

    /// <summary>True when the field must be present and not null.</summary>
    public bool Required { get; }

    /// <summary>The allowed values of an enum field; empty otherwise.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>The kind of a list's elements (string or map), or null.</summary>
    public FieldKind? ElementKind { get; }

    /// <summary>True for <c>node</c>, <c>originating_node</c> and <c>reporting_node</c>: values must be node names.</summary>
    public bool IsNodeField { get; }

    /// <summary>The property's CLR type, e.g. <c>double?</c>.</summary>
    internal Type ValueType { get; }

    private readonly Func<GaterMessage, object?> _getter;

    internal object? GetValue(GaterMessage message) => _getter(message);
}

using System.Collections.Frozen;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using System.Text.Json;
using ExEsdbGater.Beam.Terms;
using ExEsdbGater.Messages;

namespace ExEsdbGater.Beam.Mapping;

/// <summary>
/// How the original spells each catalog type as a term: its struct module and tag atoms, and per field whether it
/// exists there and whether its values are atoms; plus the record's constructor and getters, compiled once. Built
/// from <see cref="MessageCatalog"/>; the few facts the library's descriptors do not carry (catalog.json's
/// <c>added</c> marker and its "atom" docs) are the tables below, which a test checks against spec/catalog.json.
/// </summary>
internal sealed class OriginalShape
{
    /// <summary>The types the original defines without <c>node</c> (catalog.json marks that field <c>added</c>).</summary>
    public static readonly FrozenSet<string> NodeAddedTypes = FrozenSet.Create(StringComparer.Ordinal,
        "ClusterHealth", "AccessViolation", "AlertAck", "AlertEscalation", "NotificationStatus", "LogSummary", "LogFilter");

    /// <summary>String fields other than node fields that the original documents as atoms (<c>Type.field</c>).</summary>
    public static readonly FrozenSet<string> AtomFields = FrozenSet.Create(StringComparer.Ordinal,
        "SystemConfig.component", "SystemLifecycle.system_name", "FeatureToggle.feature", "ComponentHealth.component",
        "HealthCheck.check_name", "PerformanceMetric.metric_name", "PerformanceMetric.component", "ThroughputMetric.operation",
        "LatencyMetric.operation", "MetricAlert.metric_name", "ProcessLifecycle.name", "ProcessLifecycle.module",
        "SupervisionEvent.supervisor", "DebugTrace.component", "PerformanceAnalysis.component", "ErrorAnalysis.error_type",
        "LogEntry.module");

    /// <summary>List fields the original documents as lists of atoms (node names).</summary>
    public static readonly FrozenSet<string> AtomListFields = FrozenSet.Create(StringComparer.Ordinal,
        "ClusterHealth.degraded_nodes", "ClusterHealth.unhealthy_nodes", "ClusterMembership.affected_nodes",
        "ClusterMembership.active_nodes", "LogSummary.nodes_reporting");

    private static readonly Lazy<Shapes> All = new(Build);

    private readonly Func<object?[], GaterMessage> _construct;
    private readonly FrozenDictionary<string, int> _fieldIndex;

    private OriginalShape(MessageTypeInfo type)
    {
        Type = type;
        StructName = $"Elixir.ExESDBGater.Messages.{type.Module}.{type.Name}";
        StructAtom = Atom.Intern(StructName);
        TagAtom = Atom.Intern(type.Tag);
        // the record's primary constructor: one parameter per field, named after it
        var ctor = type.ClrType.GetConstructors(BindingFlags.Public | BindingFlags.Instance).OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = ctor.GetParameters();
        Fields = type.Fields.Select(f => new FieldShape(type, f, parameters)).ToArray();
        if (parameters.Length != Fields.Count)
        {
            throw new InvalidOperationException($"{type.ClrType.Name}'s constructor does not take its {Fields.Count} fields");
        }
        SortedFields = Fields.Where(f => f.InOriginal).OrderBy(f => f.Key, TermOrder.Instance).ToArray();
        _fieldIndex = Fields.Select((f, i) => (f.Name, i)).ToFrozenDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var args = Expression.Parameter(typeof(object?[]), "args");
        var body = Expression.New(ctor, parameters.Select((p, i) => Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), p.ParameterType)));
        _construct = Expression.Lambda<Func<object?[], GaterMessage>>(body, args).Compile();
    }

    public MessageTypeInfo Type { get; }

    /// <summary>e.g. <c>Elixir.ExESDBGater.Messages.HealthMessages.NodeHealth</c>.</summary>
    public string StructName { get; }

    public Atom StructAtom { get; }

    public Atom TagAtom { get; }

    /// <summary>The catalog's fields, in catalog order.</summary>
    public IReadOnlyList<FieldShape> Fields { get; }

    /// <summary>The fields the original's struct has, in the term order of their key atoms.</summary>
    public IReadOnlyList<FieldShape> SortedFields { get; }

    /// <summary>True when the original's struct has no <c>node</c> and the mapping fills it from the sending node.</summary>
    public bool NodeAdded => NodeAddedTypes.Contains(Type.Name);

    public static IReadOnlyList<OriginalShape> Every => All.Value.List;

    public static OriginalShape For(MessageTypeInfo type) => All.Value.ByType[type];

    /// <summary>The index in <see cref="Fields"/> of a field, or -1.</summary>
    public int IndexOf(string field) => _fieldIndex.TryGetValue(field, out var i) ? i : -1;

    /// <summary>A record from its field values, in <see cref="Fields"/> order (each already of its parameter's type, or null).</summary>
    public GaterMessage Construct(object?[] values)
    {
        var args = new object?[values.Length];
        for (var i = 0; i < Fields.Count; i++)
        {
            args[Fields[i].ParameterIndex] = values[i];
        }
        return _construct(args);
    }

    private sealed record Shapes(IReadOnlyList<OriginalShape> List, FrozenDictionary<MessageTypeInfo, OriginalShape> ByType);

    private static Shapes Build()
    {
        var list = MessageCatalog.Types.Select(t => new OriginalShape(t)).ToArray();
        return new Shapes(list, list.ToFrozenDictionary(s => s.Type));
    }
}

/// <summary>One field as the original spells it, with the compiled getter of its record property.</summary>
internal sealed class FieldShape
{
    private readonly Func<GaterMessage, object?> _getter;

    public FieldShape(MessageTypeInfo type, MessageFieldInfo field, ParameterInfo[] parameters)
    {
        Info = field;
        Key = Atom.Intern(field.Name);
        var qualified = type.Name + "." + field.Name;
        InOriginal = !(field.Name == "node" && OriginalShape.NodeAddedTypes.Contains(type.Name));
        AtomValued = field.IsNodeField || OriginalShape.AtomFields.Contains(qualified);
        AtomItems = OriginalShape.AtomListFields.Contains(qualified);
        var pascal = PascalCase(field.Name);
        var property = type.ClrType.GetProperty(pascal, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{type.ClrType.Name} has no property for '{field.Name}'");
        ParameterIndex = Array.FindIndex(parameters, p => p.Name == pascal);
        if (ParameterIndex < 0)
        {
            throw new InvalidOperationException($"{type.ClrType.Name}'s constructor has no parameter for '{field.Name}'");
        }
        var parameterType = parameters[ParameterIndex].ParameterType;
        NeedsValue = parameterType.IsValueType && Nullable.GetUnderlyingType(parameterType) is null;
        var m = Expression.Parameter(typeof(GaterMessage), "m");
        _getter = Expression.Lambda<Func<GaterMessage, object?>>(
            Expression.Convert(Expression.Property(Expression.Convert(m, type.ClrType), property), typeof(object)), m).Compile();
        if (field.Kind == FieldKind.Enum)
        {
            var enumType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            EnumValues = Enum.GetValues(enumType).Cast<object>()
                .ToFrozenDictionary(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()!), v => v, StringComparer.Ordinal);
        }
    }

    public MessageFieldInfo Info { get; }

    public string Name => Info.Name;

    public Atom Key { get; }

    /// <summary>False for the <c>node</c> the .NET catalog added to seven types.</summary>
    public bool InOriginal { get; }

    /// <summary>The original holds an atom here (a node name, a component, a module…).</summary>
    public bool AtomValued { get; }

    /// <summary>The original holds a list of atoms here (node names).</summary>
    public bool AtomItems { get; }

    /// <summary>The position of the field in the record's constructor.</summary>
    public int ParameterIndex { get; }

    /// <summary>The record cannot hold null here (a non-nullable value type).</summary>
    public bool NeedsValue { get; }

    /// <summary>An enum field's values by wire name, boxed; empty for other kinds.</summary>
    public FrozenDictionary<string, object> EnumValues { get; } = FrozenDictionary<string, object>.Empty;

    public object? GetValue(GaterMessage message) => _getter(message);

    private static string PascalCase(string snake)
    {
        var sb = new StringBuilder(snake.Length);
        foreach (var part in snake.Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            sb.Append(char.ToUpperInvariant(part[0])).Append(part.AsSpan(1));
        }
        return sb.ToString();
    }
}

using ExEsdbGater.Frames;
using ExEsdbGater.Messages;
using System.Collections.Frozen;
using System.Reflection;
using System.Text;
using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Mapping;

/// <summary>
/// How the original spells each catalog type as a term: its struct module and tag atoms, and per field whether it
/// exists there and whether its values are atoms. Built once from <see cref="MessageCatalog"/>; the few facts the
/// library's descriptors do not carry (catalog.json's <c>added</c> marker and its "atom" docs) are the tables below,
/// which a test checks against spec/catalog.json.
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

    private OriginalShape(MessageTypeInfo type)
    {
        Type = type;
        StructName = $"Elixir.ExESDBGater.Messages.{type.Module}.{type.Name}";
        StructAtom = Atom.Intern(StructName);
        TagAtom = Atom.Intern(type.Tag);
        Fields = type.Fields.Select(f => new FieldShape(type, f)).ToArray();
    }

    public MessageTypeInfo Type { get; }

    /// <summary>e.g. <c>Elixir.ExESDBGater.Messages.HealthMessages.NodeHealth</c>.</summary>
    public string StructName { get; }

    public Atom StructAtom { get; }

    public Atom TagAtom { get; }

    public IReadOnlyList<FieldShape> Fields { get; }

    /// <summary>True when the original's struct has no <c>node</c> and the mapping fills it from the sending node.</summary>
    public bool NodeAdded => NodeAddedTypes.Contains(Type.Name);

    public static IReadOnlyList<OriginalShape> Every => All.Value.List;

    public static OriginalShape For(MessageTypeInfo type) => All.Value.ByType[type];

    public static OriginalShape? ForStruct(string structName) => All.Value.ByStruct.GetValueOrDefault(structName);

    private sealed record Shapes(IReadOnlyList<OriginalShape> List, FrozenDictionary<MessageTypeInfo, OriginalShape> ByType, FrozenDictionary<string, OriginalShape> ByStruct);

    private static Shapes Build()
    {
        var list = MessageCatalog.Types.Select(t => new OriginalShape(t)).ToArray();
        return new Shapes(list, list.ToFrozenDictionary(s => s.Type), list.ToFrozenDictionary(s => s.StructName, StringComparer.Ordinal));
    }
}

/// <summary>One field as the original spells it, with the getter of its record property.</summary>
internal sealed class FieldShape
{
    private readonly PropertyInfo _property;

    public FieldShape(MessageTypeInfo type, MessageFieldInfo field)
    {
        Info = field;
        Key = Atom.Intern(field.Name);
        var qualified = type.Name + "." + field.Name;
        InOriginal = !(field.Name == "node" && OriginalShape.NodeAddedTypes.Contains(type.Name));
        AtomValued = field.IsNodeField || OriginalShape.AtomFields.Contains(qualified);
        AtomItems = OriginalShape.AtomListFields.Contains(qualified);
        _property = type.ClrType.GetProperty(PascalCase(field.Name), BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{type.ClrType.Name} has no property for '{field.Name}'");
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

    public object? GetValue(GaterMessage message) => _property.GetValue(message);

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

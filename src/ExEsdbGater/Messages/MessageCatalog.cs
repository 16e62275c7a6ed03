using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ExEsdbGater.Json;

namespace ExEsdbGater.Messages;

/// <summary>The JSON kinds of payload fields (wire-format section 4).</summary>
public enum FieldKind
{
    /// <summary>A JSON string.</summary>
    String,
    /// <summary>A JSON integer (no fraction, no exponent).</summary>
    Integer,
    /// <summary>Any JSON number.</summary>
    Number,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
    /// <summary>A JSON object.</summary>
    Map,
    /// <summary>A JSON array.</summary>
    List,
    /// <summary>An RFC 3339 instant string.</summary>
    Instant,
    /// <summary>One of a closed set of strings.</summary>
    Enum,
    /// <summary>Any JSON value.</summary>
    Any,
}

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

/// <summary>The catalog as implemented: nine modules, 36 payload types, their fields and factories, and validation.</summary>
/// <remarks>The descriptors are generated from <c>spec/catalog.json</c> (see <c>CreateModules</c> in <c>MessageCatalog.g.cs</c>).</remarks>
public static partial class MessageCatalog
{
    private static readonly Lazy<Built> Data = new(Build);

    /// <summary>The nine message modules.</summary>
    public static IReadOnlyList<MessageModule> Modules => Data.Value.Modules;

    /// <summary>All 36 payload types.</summary>
    public static IReadOnlyList<MessageTypeInfo> Types => Data.Value.Types;

    /// <summary>The module of an instance, or null (for <c>ex_esdb_events</c>).</summary>
    public static MessageModule? ModuleFor(GaterInstance instance) => Data.Value.ByInstance.GetValueOrDefault(instance);

    /// <summary>The payload type with this tag on this instance, or null.</summary>
    public static MessageTypeInfo? Find(GaterInstance instance, string tag)
        => Data.Value.ByTag.GetValueOrDefault((instance, tag));

    /// <summary>The descriptor of a record type, or null.</summary>
    public static MessageTypeInfo? Find(Type clrType) => Data.Value.ByType.GetValueOrDefault(clrType);

    /// <summary>
    /// Validates any payload against its catalog type: required fields (<c>missing_fields</c>), node fields
    /// (<c>invalid_node_fields</c>), the timestamp (<c>invalid_timestamp</c>) and value kinds (<c>invalid_fields</c>).
    /// </summary>
    public static ValidationResult Validate(GaterMessage message) => MessageValidator.Validate(message);

    internal static MessageTypeInfo? Find(GaterInstance instance, ReadOnlySpan<char> tag)
        => Data.Value.ByTagSpan[(int)instance] is { } d && d.TryGetValue(tag, out var t) ? t : null;

    /// <summary>Writes the catalog as JSON in the shape of <c>catalog.json</c> (without doc texts).</summary>
    public static void WriteJson(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteStartArray("instances");
        foreach (var instance in GaterInstances.All)
        {
            var module = ModuleFor(instance);
            writer.WriteStartObject();
            writer.WriteString("instance", instance.WireName());
            if (module is null)
            {
                writer.WriteNull("module");
            }
            else
            {
                writer.WriteString("module", module.Name);
            }
            writer.WriteStartArray("types");
            foreach (var t in module?.Types ?? [])
            {
                writer.WriteStartObject();
                writer.WriteString("name", t.Name);
                writer.WriteString("tag", t.Tag);
                writer.WriteString("factory", t.Factory);
                writer.WriteStartArray("arguments");
                foreach (var a in t.Arguments)
                {
                    writer.WriteStringValue(a);
                }
                writer.WriteEndArray();
                writer.WriteStartArray("fields");
                foreach (var f in t.Fields)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", f.Name);
                    writer.WriteString("kind", JsonNamingPolicy.SnakeCaseLower.ConvertName(f.Kind.ToString()));
                    writer.WriteBoolean("required", f.Required);
                    if (f.Kind == FieldKind.Enum)
                    {
                        writer.WriteStartArray("values");
                        foreach (var v in f.Values)
                        {
                            writer.WriteStringValue(v);
                        }
                        writer.WriteEndArray();
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private sealed record Built(
        IReadOnlyList<MessageModule> Modules,
        IReadOnlyList<MessageTypeInfo> Types,
        Dictionary<GaterInstance, MessageModule> ByInstance,
        Dictionary<(GaterInstance, string), MessageTypeInfo> ByTag,
        Dictionary<Type, MessageTypeInfo> ByType,
        Dictionary<string, MessageTypeInfo>.AlternateLookup<ReadOnlySpan<char>>?[] ByTagSpan);

    private static Built Build()
    {
        var modules = CreateModules();
        var all = modules.SelectMany(m => m.Types).ToArray();
        var bySpan = new Dictionary<string, MessageTypeInfo>.AlternateLookup<ReadOnlySpan<char>>?[GaterInstances.All.Count];
        foreach (var m in modules)
        {
            bySpan[(int)m.Instance] = m.Types.ToDictionary(t => t.Tag, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        }
        return new Built(
            modules,
            all,
            modules.ToDictionary(m => m.Instance),
            all.ToDictionary(t => (t.Instance, t.Tag)),
            all.ToDictionary(t => t.ClrType),
            bySpan);
    }
}

/// <summary>The JSON options of payloads: snake_case names, nulls written, nullable annotations and required parameters enforced.</summary>
/// <remarks>
/// Metadata comes from the reflection resolver because System.Text.Json's source generator cannot see types that
/// another generator (ours) produces in the same compilation.
/// </remarks>
internal static class PayloadJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            Converters = { new InstantConverter() },
        };
        options.MakeReadOnly();
        return options;
    }
}

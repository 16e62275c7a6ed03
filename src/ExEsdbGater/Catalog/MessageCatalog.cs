using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ExEsdbGater;

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
    internal MessageFieldInfo(string name, FieldKind kind, bool required, IReadOnlyList<string> values, FieldKind? elementKind, JsonPropertyInfo property)
    {
        Name = name;
        Kind = kind;
        Required = required;
        Values = values;
        ElementKind = elementKind;
        Property = property;
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

    internal JsonPropertyInfo Property { get; }


    internal object? GetValue(GaterMessage message) => Property.Get!(message);
}

/// <summary>One payload type of the catalog, as implemented.</summary>
public sealed class MessageTypeInfo
{
    internal MessageTypeInfo(Type clrType, string tag, GaterInstance instance, string module, string factory, IReadOnlyList<string> arguments, IReadOnlyList<MessageFieldInfo> fields, JsonTypeInfo jsonTypeInfo)
    {
        ClrType = clrType;
        Tag = tag;
        Instance = instance;
        Module = module;
        Factory = factory;
        Arguments = arguments;
        Fields = fields;
        JsonTypeInfo = jsonTypeInfo;
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
    internal MessageModule(string name, GaterInstance instance, Type factoryClass, IReadOnlyList<MessageTypeInfo> types, IReadOnlyList<string> commonTopics)
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

    /// <summary>The static class holding the factories and validators.</summary>
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

/// <summary>The catalog as implemented: nine modules, 36 payload types, their fields and factories.</summary>
public static class MessageCatalog
{
    private static readonly Type[] ModuleClasses =
    [
        typeof(SystemMessages), typeof(HealthMessages), typeof(MetricsMessages), typeof(LifecycleMessages),
        typeof(SecurityMessages), typeof(AuditMessages), typeof(AlertMessages), typeof(DiagnosticsMessages),
        typeof(LoggingMessages),
    ];

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
        var modules = new List<MessageModule>();
        var nullability = new NullabilityInfoContext();
        foreach (var cls in ModuleClasses)
        {
            var instance = (GaterInstance)cls.GetField("Instance")!.GetValue(null)!;
            var payloadTypes = (IReadOnlyList<Type>)cls.GetProperty("PayloadTypes")!.GetValue(null)!;
            var topics = cls.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.Name.EndsWith("Topic", StringComparison.Ordinal))
                .Select(f => (string)f.GetRawConstantValue()!).ToArray();
            var types = new List<MessageTypeInfo>();
            foreach (var t in payloadTypes)
            {
                var jti = GaterJsonContext.Default.GetTypeInfo(t)!;
                var ctorParams = t.GetConstructors().MaxBy(c => c.GetParameters().Length)!.GetParameters();
                var fields = new List<MessageFieldInfo>();
                foreach (var p in ctorParams)
                {
                    var jp = jti.Properties.Single(x => string.Equals(x.Name, JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name!), StringComparison.Ordinal));
                    var required = nullability.Create(p).WriteState == NullabilityState.NotNull;
                    var (kind, values, element) = KindOf(p.ParameterType);
                    fields.Add(new MessageFieldInfo(jp.Name, kind, required, values, element, jp));
                }
                var factory = cls.GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.ReturnType == t && m.Name != "Validate");
                var args = factory.GetParameters().Where(p => !p.HasDefaultValue).Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name!)).ToArray();
                var tag = (string)t.GetField("TagName")!.GetRawConstantValue()!;
                types.Add(new MessageTypeInfo(t, tag, instance, cls.Name, JsonNamingPolicy.SnakeCaseLower.ConvertName(factory.Name), args, fields, jti));
            }
            modules.Add(new MessageModule(cls.Name, instance, cls, types, topics));
        }
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

    private static (FieldKind Kind, IReadOnlyList<string> Values, FieldKind? Element) KindOf(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string)) return (FieldKind.String, [], null);
        if (t == typeof(long)) return (FieldKind.Integer, [], null);
        if (t == typeof(double)) return (FieldKind.Number, [], null);
        if (t == typeof(bool)) return (FieldKind.Boolean, [], null);
        if (t == typeof(JsonMap)) return (FieldKind.Map, [], null);
        if (t == typeof(JsonAny)) return (FieldKind.Any, [], null);
        if (t == typeof(DateTimeOffset)) return (FieldKind.Instant, [], null);
        if (t == typeof(ValueList<string>)) return (FieldKind.List, [], FieldKind.String);
        if (t == typeof(ValueList<JsonMap>)) return (FieldKind.List, [], FieldKind.Map);
        if (t.IsEnum)
        {
            var names = Enum.GetNames(t).Select(JsonNamingPolicy.SnakeCaseLower.ConvertName).ToArray();
            return (FieldKind.Enum, names, null);
        }
        throw new InvalidOperationException($"No field kind for {t.Name}.");
    }
}

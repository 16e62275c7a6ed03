using System.Text.Json;

namespace ExEsdbGater.Messages;

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

    /// <summary>
    /// Builds a message through its type's factory from fields given by wire name, in one JSON object: the factory's
    /// arguments (required), its options (absent or null: the catalog default), and the fields the factory computes
    /// (<c>timestamp</c>, …: absent means computed, present means used as given). A full payload as it travels on the
    /// wire is accepted too. On <see cref="GaterInstance.Events"/> the tag is the application's type and the object
    /// is the payload.
    /// </summary>
    /// <param name="instance">The instance of the type.</param>
    /// <param name="tag">The message tag, e.g. <c>node_health_updated</c>.</param>
    /// <param name="arguments">A JSON object, e.g. <c>{"node":"a@h","status":"healthy"}</c>.</param>
    /// <param name="messageContext">Node, clock and randomness for the defaults; <see cref="MessageContext.Default"/> when null (then a bus binds the defaulted node fields to its node).</param>
    /// <returns>The message, already valid (<see cref="Validate"/>).</returns>
    /// <exception cref="MessageArgumentException">The tag is not a type of the instance, or a field is unknown, missing, of the wrong kind or refused; the message names it in one line.</exception>
    public static GaterMessage Create(GaterInstance instance, string tag, JsonElement arguments, MessageContext? messageContext = null)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (instance == GaterInstance.Events)
        {
            if (!FrameRules.IsValidType(tag))
            {
                throw new MessageArgumentException(tag, null, "not a valid application type ([a-z][a-z0-9_]{0,63})");
            }
            return arguments.ValueKind == JsonValueKind.Object ? new ApplicationEvent(tag, JsonMap.FromElement(arguments))
                : throw new MessageArgumentException(tag, null, "the payload must be a JSON object");
        }
        var type = Find(instance, tag)
            ?? throw new MessageArgumentException(tag, null, $"not a type of {instance.WireName()} (one of: {string.Join(", ", ModuleFor(instance)?.Types.Select(t => t.Tag) ?? [])})");
        return type.Create(arguments, messageContext);
    }

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

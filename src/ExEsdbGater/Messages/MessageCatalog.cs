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

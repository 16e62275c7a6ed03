using System.Buffers;
using System.Text.Json;
using ExEsdbGater;

namespace Gater.Cli;

/// <summary>
/// Everything the CLI needs from the message catalog, in one place, through the library's public API only:
/// payload JSON out, messages built from fields through the catalog's factories, the catalog listing.
/// </summary>
internal static class Payloads
{
    /// <summary>The frame size limit of wire-format section 1.</summary>
    public const int MaxFrameBytes = 1024 * 1024;

    private static readonly byte[] UnsignedPrefix = "exg1.unsigned.."u8.ToArray();
    private const string ScratchTopic = "x";

    /// <summary>Writes a message's payload JSON exactly as the frame encoder puts it on the wire.</summary>
    public static void Write(Utf8JsonWriter w, GaterMessage message)
    {
        if (message is ApplicationEvent ev)
        {
            ev.Payload.Element.WriteTo(w);
            return;
        }
        // the public API has no payload serializer; an unsigned frame carries the payload in wire form
        var frame = FrameEncoder.Encode(KeyRing.UnsignedDevelopment, new Envelope(message.Instance, ScratchTopic, message.Tag, "x", "x@x", 0, 1, 0), message);
        using var doc = JsonDocument.Parse(frame.AsMemory(UnsignedPrefix.Length));
        doc.RootElement.GetProperty("payload").WriteTo(w);
    }

    /// <summary>
    /// Builds a message from a JSON object of fields by wire name through <see cref="MessageCatalog.Create"/>, the
    /// library's one path from factory arguments to a message: sign's payload and publish's --payload/--set alike.
    /// </summary>
    public static GaterMessage Create(GaterInstance instance, string type, JsonElement fields, MessageContext context, string what)
    {
        if (instance != GaterInstance.Events)
        {
            CheckType(instance, type);
        }
        try
        {
            return MessageCatalog.Create(instance, type, fields, context);
        }
        catch (MessageArgumentException ex)
        {
            throw new UsageException(ex.Field is null ? ex.Message : $"{what} does not fit {ex.Message}");
        }
    }

    /// <summary>Parses a JSON object given by the user; null, or what is wrong in one line.</summary>
    public static string? ParseObject(ReadOnlyMemory<byte> json, string what, out JsonDocument document)
    {
        document = null!;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            return $"{what} is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})";
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return $"{what} must be a JSON object";
        }
        return null;
    }

    public static MessageTypeInfo CheckType(GaterInstance instance, string type)
        => MessageCatalog.Find(instance, type)
            ?? throw new UsageException($"'{Cli.Abbreviate(type)}' is not a type of {instance.WireName()}; one of: {string.Join(", ", MessageCatalog.ModuleFor(instance)!.Types.Select(t => t.Tag))}");

    public static void WriteCatalogJson(Stream stdout)
    {
        using var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
        MessageCatalog.WriteJson(w);
    }

    /// <summary>
    /// The catalog for a reader: each instance with its module (the C# class holding the factories; names come from
    /// the catalog, e.g. ex_esdb_alerts → AlertMessages), then each type with its factory and fields — kind,
    /// required or optional, argument or option, enum values.
    /// </summary>
    public static void WriteCatalogText(TextWriter output)
    {
        output.WriteLine("instance → module (the C# class in ExEsdbGater.Messages) → types and their fields.");
        output.WriteLine("publish and sign take fields by name: every argument, and any other field (left out: its default).");
        foreach (var m in MessageCatalog.Modules)
        {
            output.WriteLine();
            output.WriteLine($"{m.Instance.WireName()} → {m.Name}");
            foreach (var t in m.Types)
            {
                output.WriteLine($"  {t.Tag}  ({t.Name}, {m.Name}.{t.Name}({string.Join(", ", t.Arguments)}))");
                foreach (var f in t.Fields)
                {
                    var role = t.Arguments.Contains(f.Name) ? "argument" : "default";
                    var kind = f.Kind switch
                    {
                        FieldKind.List => $"list of {(f.ElementKind == FieldKind.Map ? "map" : "string")}",
                        _ => JsonNamingPolicy.SnakeCaseLower.ConvertName(f.Kind.ToString()),
                    };
                    var values = f.Kind == FieldKind.Enum ? "  " + string.Join(" | ", f.Values) : "";
                    output.WriteLine($"    {f.Name,-22} {kind,-15} {(f.Required ? "required" : "optional"),-9} {role}{values}".TrimEnd());
                }
            }
        }
        output.WriteLine();
        output.WriteLine("ex_esdb_events → (no module): application-defined types, any JSON object payload");
    }
}

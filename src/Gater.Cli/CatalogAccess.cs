using System.Buffers;
using System.Reflection;
using System.Text.Json;
using ExEsdbGater;

namespace Gater.Cli;

/// <summary>
/// Everything the CLI needs from the message catalog, in one place, through the library's public API only:
/// payload JSON out, payload JSON in, factory calls for publish, the catalog listing.
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
    /// Reads a payload JSON of a type into its message with exactly the verifier's checks (it goes through
    /// <see cref="FrameVerifier"/> in an unsigned scratch frame). Returns null, or what is wrong in one line.
    /// </summary>
    public static string? Read(GaterInstance instance, string type, byte[] json, out GaterMessage message)
    {
        message = null!;
        if (json.Length > MaxFrameBytes)
        {
            return $"the payload is {json.Length} bytes; a frame holds at most {MaxFrameBytes}";
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "the payload must be a JSON object";
            }
        }
        catch (JsonException ex)
        {
            return $"the payload is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})";
        }
        if (instance != GaterInstance.Events)
        {
            CheckType(instance, type);
        }
        const long ts = 1_000_000_000_000;
        var buffer = new ArrayBufferWriter<byte>(json.Length + 256);
        buffer.Write(UnsignedPrefix);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("v", 1);
            w.WriteString("instance", instance.WireName());
            w.WriteString("topic", ScratchTopic);
            w.WriteString("type", type);
            w.WriteString("id", "x");
            w.WriteString("node", "x@x");
            w.WriteNumber("epoch", 0);
            w.WriteNumber("seq", 1);
            w.WriteNumber("ts", ts);
            w.WritePropertyName("payload");
            w.WriteRawValue(json, skipInputValidation: true);
            w.WriteEndObject();
        }
        var verifier = new FrameVerifier(KeyRing.UnsignedDevelopment, new VerifierOptions { TimeProvider = new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(ts)), ReplayCapacity = 1 });
        var r = verifier.Verify(buffer.WrittenSpan, instance, ScratchTopic);
        if (r.IsOk)
        {
            message = r.Message!;
            return null;
        }
        var detail = r.Detail ?? r.Reason!.Value.WireName();
        return r.Reason switch
        {
            RejectReason.InvalidPayload => $"the payload does not fit {type}: {Cli.Abbreviate(detail)}{(detail.Contains(" is ", StringComparison.Ordinal) ? "" : " is missing or of the wrong kind")}",
            RejectReason.TooLarge => $"the frame would be larger than {MaxFrameBytes} bytes",
            _ => $"the payload cannot be signed: {Cli.Abbreviate(detail)}",
        };
    }

    public static MessageTypeInfo CheckType(GaterInstance instance, string type)
        => MessageCatalog.Find(instance, type)
            ?? throw new UsageException($"'{Cli.Abbreviate(type)}' is not a type of {instance.WireName()}; one of: {string.Join(", ", MessageCatalog.ModuleFor(instance)!.Types.Select(t => t.Tag))}");

    public static void WriteCatalogJson(Stream stdout)
    {
        using var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
        MessageCatalog.WriteJson(w);
    }

    public static void WriteCatalogText(TextWriter output)
    {
        foreach (var m in MessageCatalog.Modules)
        {
            output.WriteLine($"{m.Instance.WireName()}  ({m.Name})");
            foreach (var t in m.Types)
            {
                output.WriteLine($"  {t.Tag,-28} {t.Name,-20} {t.Factory}({string.Join(", ", t.Arguments)})");
                output.WriteLine($"  {"",-28} fields: {string.Join(", ", t.Fields.Select(f => f.Name + (f.Required ? "" : "?")))}");
            }
        }
        output.WriteLine("ex_esdb_events  (application-defined types)");
    }

    /// <summary>Builds a message through its type's public factory, arguments and options by wire name.</summary>
    public static GaterMessage Build(GaterInstance instance, string type, IReadOnlyDictionary<string, JsonElement> values, MessageContext context)
    {
        var info = CheckType(instance, type);
        var factory = MessageCatalog.Modules.Single(m => m.Name == info.Module).FactoryClass
            .GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.ReturnType == info.ClrType && m.Name != "Validate");
        var parameters = factory.GetParameters();
        var names = parameters.Where(p => p.ParameterType != typeof(MessageContext)).Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name!)).ToHashSet();
        var unknown = values.Keys.Where(k => !names.Contains(k)).Select(k => Cli.Abbreviate(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new UsageException($"{type} has no setting {string.Join(", ", unknown)}; it takes: {string.Join(", ", names)}");
        }
        var args = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            if (p.ParameterType == typeof(MessageContext))
            {
                args[i] = context;
                continue;
            }
            var name = JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name!);
            if (values.TryGetValue(name, out var v))
            {
                args[i] = Convert(v, p.ParameterType, name);
            }
            else if (p.HasDefaultValue)
            {
                args[i] = null;
            }
            else
            {
                throw new UsageException($"{type} needs {string.Join(", ", info.Arguments)}; '{name}' is missing (--set {name}=…)");
            }
        }
        try
        {
            return (GaterMessage)factory.Invoke(null, args)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is ArgumentException inner)
        {
            throw new UsageException(inner.Message);
        }
    }

    private static object? Convert(JsonElement v, Type target, string name)
    {
        var t = Nullable.GetUnderlyingType(target) ?? target;
        if (v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        try
        {
            if (t == typeof(string))
            {
                return v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText();
            }
            if (t == typeof(long))
            {
                return v.GetInt64();
            }
            if (t == typeof(double))
            {
                return v.GetDouble();
            }
            if (t == typeof(bool))
            {
                return v.GetBoolean();
            }
            if (t == typeof(JsonMap))
            {
                return JsonMap.FromElement(v);
            }
            if (t == typeof(JsonAny))
            {
                return JsonAny.FromElement(v);
            }
            if (t == typeof(ValueList<string>))
            {
                return new ValueList<string>(v.EnumerateArray().Select(x => x.GetString()!));
            }
            if (t == typeof(ValueList<JsonMap>))
            {
                return new ValueList<JsonMap>(v.EnumerateArray().Select(JsonMap.FromElement));
            }
            if (t == typeof(DateTimeOffset))
            {
                return Instant.TryParse(v.GetString().AsSpan(), out var i) ? i : throw new FormatException("not an RFC 3339 instant");
            }
            if (t.IsEnum)
            {
                var s = v.GetString();
                foreach (var value in Enum.GetValues(t))
                {
                    if (JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString()!) == s)
                    {
                        return value;
                    }
                }
                throw new FormatException("one of " + string.Join(", ", Enum.GetNames(t).Select(JsonNamingPolicy.SnakeCaseLower.ConvertName)));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
        {
            throw new UsageException($"'{name}' must be {Describe(t)}: {ex.Message}");
        }
        throw new UsageException($"'{name}' cannot be set from the command line");
    }

    private static string Describe(Type t) => t == typeof(long) ? "an integer"
        : t == typeof(double) ? "a number" : t == typeof(bool) ? "true or false" : t == typeof(JsonMap) ? "a JSON object"
        : t.IsEnum ? "an enum value" : t == typeof(DateTimeOffset) ? "an instant" : t.Name;
}

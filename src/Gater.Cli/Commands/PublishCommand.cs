using System.Globalization;
using System.Reflection;
using System.Text.Json;
using ExEsdbGater;

namespace Gater.Cli.Commands;

internal sealed class PublishCommand : ICommand
{
    public CommandSpec Spec { get; } = new("publish", "Publish one message built through its type's factory (defaults applied).",
        "--instance I --type Y [--topic T] [--payload JSON | --set NAME=VALUE ...] [--redis CONN]",
        [
            new Opt("instance", "I", "The instance, e.g. ex_esdb_alerts."),
            new Opt("type", "Y", "The message tag, e.g. system_alert (see 'gater catalog')."),
            new Opt("topic", "T", "The topic (default cluster:<instance without ex_esdb_>)."),
            new Opt("payload", "JSON", "Factory arguments and options as one JSON object, by field name."),
            new Opt("set", "NAME=VALUE", "One factory argument or option; VALUE is JSON or plain text.", Repeatable: true),
            Cli.RedisOpt, Cli.PrefixOpt, Cli.NodeNameOpt, Cli.SecretOpt, Cli.KeyOpt,
        ],
        """
        Required factory arguments must be given; every other field takes its catalog default.
        Example: gater publish --instance ex_esdb_alerts --type system_alert \
                   --set severity=critical --set category=system --set title="Disk full" \
                   --set description="/var at 99%" --set source=disk_monitor
        Prints the published message as one JSON line (the 'gater verify' format).
        """);

    public async Task<int> RunAsync(ParsedArgs args, CancellationToken ct)
    {
        var instance = args.Instance();
        var type = args.Required("type");
        var topic = args.Get("topic") ?? "cluster:" + instance.WireName()["ex_esdb_".Length..];
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (args.Get("payload") is { } payload)
        {
            try
            {
                using var doc = JsonDocument.Parse(payload);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new UsageException("--payload must be a JSON object");
                }
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    values[p.Name] = p.Value.Clone();
                }
            }
            catch (JsonException ex)
            {
                throw new UsageException($"--payload is not valid JSON: {ex.Message}");
            }
        }
        foreach (var s in args.All("set"))
        {
            var eq = s.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"--set takes NAME=VALUE, not '{s}'");
            }
            values[s[..eq]] = ParseLoose(s[(eq + 1)..]);
        }
        var keys = Cli.Keys(args);
        var node = args.Get("node-name");
        var context = new MessageContext(NodeName.Resolve(node));
        var message = instance == GaterInstance.Events ? new ApplicationEvent(type, JsonMap.From(values.Select(v => new KeyValuePair<string, object?>(v.Key, v.Value)))) : Build(instance, type, values, context);
        await using var backplane = await Cli.BackplaneAsync(args);
        await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = context.Node, Keys = keys, Backplane = backplane });
        PublishReceipt receipt;
        try
        {
            receipt = await bus.BroadcastAsync(topic, message, ct);
        }
        catch (GaterValidationException ex)
        {
            Console.Error.WriteLine($"gater publish: {ex.Message}");
            return 1;
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
        Console.Out.WriteLine(Cli.JsonLine(w => Cli.WriteMessageLine(w, receipt.Envelope, message, x =>
        {
            x.WriteNumber("frame_bytes", receipt.FrameBytes);
            x.WriteString("backplane", backplane?.Name ?? "none");
        })));
        return 0;
    }

    private static JsonElement ParseLoose(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text, CliJson.Default.String);
        }
    }

    internal static GaterMessage Build(GaterInstance instance, string type, IReadOnlyDictionary<string, JsonElement> values, MessageContext context)
    {
        var info = MessageCatalog.Find(instance, type)
            ?? throw new UsageException($"'{type}' is not a type of {instance.WireName()}; one of: {string.Join(", ", MessageCatalog.ModuleFor(instance)!.Types.Select(t => t.Tag))}");
        var factory = MessageCatalog.Modules.Single(m => m.Name == info.Module).FactoryClass
            .GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.ReturnType == info.ClrType && m.Name != "Validate");
        var parameters = factory.GetParameters();
        var names = parameters.Where(p => p.ParameterType != typeof(MessageContext)).Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name!)).ToHashSet();
        var unknown = values.Keys.Where(k => !names.Contains(k)).ToArray();
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

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class CliJson : System.Text.Json.Serialization.JsonSerializerContext;

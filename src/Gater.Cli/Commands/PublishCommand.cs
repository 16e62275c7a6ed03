using System.CommandLine;
using System.Text.Json;
using ExEsdbGater;

namespace Gater.Cli.Commands;

internal sealed class PublishCommand : GaterCommand
{
    private readonly Option<GaterInstance?> _instance = Opt.Instance("The instance, e.g. ex_esdb_alerts.");
    private readonly Option<string> _type = Opt.Text("--type", "Y", "The message tag, e.g. system_alert (see 'gater catalog').");
    private readonly Option<string> _topic = Opt.Text("--topic", "T", "The topic (default cluster:<instance without ex_esdb_>).");
    private readonly Option<string> _payload = Opt.Text("--payload", "JSON", "Factory arguments and options as one JSON object, by field name.");
    private readonly Option<string[]> _set = Opt.Many("--set", "NAME=VALUE", "One factory argument or option; VALUE is JSON or plain text.");
    private readonly RedisOptions _redis = new("Redis connection string (host:port[,password=…,ssl=true,…]); this or --beam is required unless --dry-run.");
    private readonly BeamOptions _beam = new("Also (or instead) send to these Elixir nodes running the original library (store1@host[,…]), signed the original's way.");
    private readonly Option<bool> _dryRun = Opt.Flag("--dry-run", "Build and sign the message but send it nowhere (\"sent\":false).");
    private readonly Option<bool> _durable = Opt.Flag("--durable", "Append to the instance's Redis stream (kept, read with 'gater tail --durable') instead of pub/sub.");
    private readonly Option<string> _nodeName = Opt.Text("--node-name", "NAME@HOST", "This node's name (default: EXG_NODE_NAME, else process@host).");
    private readonly KeyOptions _keys = new();

    public PublishCommand()
        : base("publish", "Publish one message built through its type's factory (defaults applied).",
            "--instance I --type Y [--topic T] [--payload JSON | --set NAME=VALUE ...] (--redis CONN [--durable] | --beam NODE[,NODE…] [--cookie C] [--sname NAME] | --dry-run)",
            """
            Required factory arguments must be given; every other field takes its catalog default.
            Example: gater publish --instance ex_esdb_alerts --type system_alert \
                       --set severity=critical --set category=system --set title="Disk full" \
                       --set description="/var at 99%" --set source=disk_monitor
            Prints the published message as one JSON line (the 'gater verify' format) with "sent": true once Redis
            took it; with --dry-run nothing is sent and the line says "sent": false. With --durable the message is
            appended to the instance's stream (any instance) and the line carries its "entry" id; without it, it goes
            over pub/sub to whoever listens at that moment. With --beam it also goes to every member of the instance's
            Phoenix.PubSub group on those Elixir nodes, as {:secure_message, HMAC, msg} signed with SECRET_KEY_BASE (or
            --secret) the way the original signs, which its OTP ≤ 25 nodes accept; "beam_members" counts the sends.
            """)
    {
        Add(_instance);
        Add(_type);
        Add(_topic);
        Add(_payload);
        Add(_set);
        _redis.AddTo(this);
        _beam.AddTo(this);
        Add(_dryRun);
        Add(_durable);
        Add(_nodeName);
        _keys.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult args, CancellationToken ct)
    {
        var instance = Required(args, _instance);
        var type = Required(args, _type);
        var dryRun = args.GetValue(_dryRun);
        var beamPeers = _beam.Peers(args);
        if ((_redis.Connection(args) is null && beamPeers is null) != dryRun)
        {
            throw new UsageException(dryRun
                ? "--dry-run sends nothing; leave out --redis and --beam"
                : "publish sends through Redis or to Elixir nodes and needs --redis CONN or --beam NODE (or --dry-run to build and sign without sending)");
        }
        var durable = args.GetValue(_durable);
        if (durable && dryRun)
        {
            throw new UsageException("--durable appends to a Redis stream; --dry-run sends nothing");
        }
        var topic = args.GetValue(_topic) ?? "cluster:" + instance.WireName()["ex_esdb_".Length..];
        // --payload, then each --set over it: one JSON object of fields by name, built by the library's one path
        var kinds = instance == GaterInstance.Events ? null : Payloads.CheckType(instance, type).Fields.ToDictionary(f => f.Name, f => f.Kind, StringComparer.Ordinal);
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (args.GetValue(_payload) is { } payload)
        {
            var error = Payloads.ParseObject(System.Text.Encoding.UTF8.GetBytes(payload), "--payload", out var doc);
            if (error is not null)
            {
                throw new UsageException(error);
            }
            using (doc)
            {
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    values[p.Name] = p.Value.Clone();
                }
            }
        }
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in args.GetValue(_set) ?? [])
        {
            var eq = s.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"--set takes NAME=VALUE, not '{Cli.Abbreviate(s)}'");
            }
            if (!set.Add(s[..eq]))
            {
                throw new UsageException($"'--set {Cli.Abbreviate(s[..eq])}' is given twice");
            }
            values[s[..eq]] = ParseLoose(s[(eq + 1)..], kinds?.GetValueOrDefault(s[..eq]));
        }
        var keys = _keys.Ring(args);
        var context = new MessageContext(NodeName.Resolve(args.GetValue(_nodeName)));
        var message = Payloads.Create(instance, type, JsonSerializer.SerializeToElement(values, CliJson.Default.DictionaryStringJsonElement), context, "the message");
        await using var backplane = await _redis.ConnectAsync(args);
        await using var transport = durable ? await _redis.ConnectDurableAsync(args) : null;
        await using var beam = await _beam.StartAsync(args, _keys, ct);
        await using var bus = GaterBus.Create(new GaterBusOptions
        {
            Links = beam is null ? [] : [beam],
            NodeName = context.Node,
            Keys = keys,
            Backplane = backplane,
            DurableTransport = transport,
            // without --durable every instance is volatile (no transport); with it, this one is durable whatever its default
            DeliveryModes = durable ? new Dictionary<GaterInstance, DeliveryMode> { [instance] = DeliveryMode.Durable } : null,
        });
        PublishReceipt receipt;
        try
        {
            receipt = await bus.BroadcastAsync(topic, message, ct);
        }
        catch (Exception ex) when (ex is GaterValidationException or ArgumentException)
        {
            // the message as given does not pass the library's checks: the user's input
            throw new UsageException(ex.Message);
        }
        Stdout.WriteLine(Cli.JsonLine(w => Cli.WriteMessageLine(w, receipt.Envelope, receipt.Message ?? message, x =>
        {
            x.WriteNumber("frame_bytes", receipt.FrameBytes);
            x.WriteString("backplane", backplane?.Name ?? "none");
            x.WriteBoolean("sent", backplane is not null || beam?.Statistics.Sent > 0);
            if (beam is not null)
            {
                // one send per member of the instance's PG2 group on the Elixir nodes
                x.WriteNumber("beam_members", beam.Statistics.Sent);
            }
            if (receipt.StreamEntryId is { } entry)
            {
                x.WriteString("entry", entry);
            }
        })));
        return 0;
    }

    // VALUE is JSON, or plain text: for a text field (string, enum, instant) anything that is not a JSON string is
    // the text itself, so --set version=1.0 and --set title=Disk full both mean what they say.
    private static JsonElement ParseLoose(string text, FieldKind? kind)
    {
        var textField = kind is FieldKind.String or FieldKind.Enum or FieldKind.Instant;
        if (!textField || text.StartsWith('"'))
        {
            try
            {
                using var doc = JsonDocument.Parse(text);
                return doc.RootElement.Clone();
            }
            catch (JsonException)
            {
            }
        }
        return JsonSerializer.SerializeToElement(text, CliJson.Default.String);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class CliJson : System.Text.Json.Serialization.JsonSerializerContext;

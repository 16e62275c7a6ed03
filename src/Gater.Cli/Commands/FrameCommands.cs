using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ExEsdbGater;

namespace Gater.Cli.Commands;

internal sealed class KeygenCommand : ICommand
{
    public CommandSpec Spec { get; } = new("keygen", "Print a new random secret (64 characters, base64url).", "", [],
        "Use it as SECRET_KEY_BASE on every node of a cluster.");

    public Task<int> RunAsync(ParsedArgs args, CancellationToken ct)
    {
        Console.Out.WriteLine(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48)));
        return Task.FromResult(0);
    }
}

internal sealed class CatalogCommand : ICommand
{
    public CommandSpec Spec { get; } = new("catalog", "Print the message catalog as implemented.", "[--json]",
        [new Opt("json", null, "Print it as JSON in the shape of catalog.json.")]);

    public Task<int> RunAsync(ParsedArgs args, CancellationToken ct)
    {
        if (args.Flag("json"))
        {
            using var stdout = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
            {
                MessageCatalog.WriteJson(w);
            }
            stdout.Write("\n"u8);
            return Task.FromResult(0);
        }
        foreach (var m in MessageCatalog.Modules)
        {
            Console.Out.WriteLine($"{m.Instance.WireName()}  ({m.Name})");
            foreach (var t in m.Types)
            {
                Console.Out.WriteLine($"  {t.Tag,-28} {t.Name,-20} {t.Factory}({string.Join(", ", t.Arguments)})");
                Console.Out.WriteLine($"  {"",-28} fields: {string.Join(", ", t.Fields.Select(f => f.Name + (f.Required ? "" : "?")))}");
            }
        }
        Console.Out.WriteLine("ex_esdb_events  (application-defined types)");
        return Task.FromResult(0);
    }
}

internal sealed class SignCommand : ICommand
{
    public CommandSpec Spec { get; } = new("sign", "Sign the payload JSON on standard input into one exg1 frame.",
        "--instance I --topic T --type Y [--id ID] [--node N] [--epoch E] [--seq S] [--ts MS] [--secret S]... < payload.json",
        [
            new Opt("instance", "I", "The instance, e.g. ex_esdb_health."),
            new Opt("topic", "T", "The topic, e.g. cluster:health."),
            new Opt("type", "Y", "The message tag, e.g. node_health_updated."),
            new Opt("id", "ID", "Message id (default: generated)."),
            new Opt("node", "N", "Publishing node (default: this node)."),
            new Opt("epoch", "E", "Publisher epoch (default: this process's start time in ms)."),
            new Opt("seq", "S", "Sequence number (default 1)."),
            new Opt("ts", "MS", "Issue time, Unix ms (default: now)."),
            Cli.SecretOpt, Cli.KeyOpt,
        ],
        "Prints the frame and a newline. The payload must fit the type (see 'gater catalog').");

    public Task<int> RunAsync(ParsedArgs args, CancellationToken ct)
    {
        var instance = args.Instance();
        var topic = args.Required("topic");
        var type = args.Required("type");
        var keys = Cli.Keys(args);
        var payloadBytes = Cli.ReadAllStdin();
        GaterMessage message;
        if (instance == GaterInstance.Events)
        {
            try
            {
                message = new ApplicationEvent(type, JsonMap.Parse(Encoding.UTF8.GetString(payloadBytes)));
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"gater sign: the payload is not a JSON object: {ex.Message}");
                return Task.FromResult(1);
            }
        }
        else
        {
            var info = MessageCatalog.Find(instance, type)
                ?? throw new UsageException($"'{type}' is not a type of {instance.WireName()}; see 'gater catalog'");
            var error = Payloads.Read(payloadBytes, info, out message);
            if (error is not null)
            {
                Console.Error.WriteLine($"gater sign: {error}");
                return Task.FromResult(1);
            }
        }
        var node = args.Get("node") ?? NodeName.Resolve();
        var envelope = new Envelope(instance, topic, message.Tag, args.Get("id") ?? ElixirCompat.GenerateMessageId(), node,
            args.Long("epoch", 0) ?? Cli.ProcessEpoch(), args.Long("seq", 1) ?? 1, args.Long("ts", 0) ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        byte[] frame;
        try
        {
            frame = FrameEncoder.Encode(keys, envelope, message);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(frame);
        stdout.Write("\n"u8);
        return Task.FromResult(0);
    }
}

internal sealed class VerifyCommand : ICommand
{
    public CommandSpec Spec { get; } = new("verify", "Verify frames from standard input; print one JSON line per frame.",
        "--instance I --topic T [--now MS] [--max-age-ms N] [--allow-unsigned] [--lines] [--secret S]... < frame",
        [
            new Opt("instance", "I", "Where the frames arrived: the instance."),
            new Opt("topic", "T", "Where the frames arrived: the topic."),
            new Opt("now", "MS", "The receiver's clock, Unix ms (default: now)."),
            new Opt("max-age-ms", "N", "Maximum frame age (default 300000)."),
            new Opt("allow-unsigned", null, "Accept unsigned frames (only without any key)."),
            new Opt("lines", null, "One frame per line, sharing one replay memory."),
            Cli.SecretOpt, Cli.KeyOpt,
        ],
        "Prints {\"ok\":true,\"instance\":…,\"payload\":{…}} or {\"ok\":false,\"reason\":\"…\"} per frame.\nExit: 0 all accepted, 1 any rejected, 2 usage or configuration error.");

    public Task<int> RunAsync(ParsedArgs args, CancellationToken ct)
    {
        var instance = args.Instance();
        var topic = args.Required("topic");
        var keys = Cli.Keys(args, args.Flag("allow-unsigned"));
        var now = args.Long("now", 0);
        var options = new VerifierOptions
        {
            TimeProvider = now is { } ms ? new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(ms)) : TimeProvider.System,
            MaxAge = TimeSpan.FromMilliseconds(args.Long("max-age-ms", 0, long.MaxValue / 20_000) ?? 300_000),
        };
        var verifier = new FrameVerifier(keys, options);
        var input = Cli.ReadAllStdin();
        var frames = new List<ReadOnlyMemory<byte>>();
        if (args.Flag("lines"))
        {
            ReadOnlyMemory<byte> rest = input;
            while (rest.Length > 0)
            {
                var nl = rest.Span.IndexOf((byte)'\n');
                frames.Add(nl < 0 ? rest : rest[..nl]);
                rest = nl < 0 ? ReadOnlyMemory<byte>.Empty : rest[(nl + 1)..];
            }
        }
        else
        {
            frames.Add(input.Length > 0 && input[^1] == '\n' ? input.AsMemory(0, input.Length - 1) : input);
        }
        var allOk = true;
        using var stdout = Console.OpenStandardOutput();
        using var w = new Utf8JsonWriter(stdout);
        foreach (var f in frames)
        {
            var r = verifier.Verify(f.Span, instance, topic);
            allOk &= r.IsOk;
            Cli.WriteVerifyLine(w, r);
            w.Flush();
            stdout.Write("\n"u8);
            w.Reset();
        }
        return Task.FromResult(allOk ? 0 : 1);
    }
}

/// <summary>Reads a payload JSON into its typed record, with the verifier's own checks.</summary>
internal static class Payloads
{
    public static string? Read(byte[] json, MessageTypeInfo info, out GaterMessage message)
    {
        message = null!;
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
            return $"the payload is not valid JSON: {ex.Message}";
        }
        var bad = PayloadSchema.Check(json, info);
        if (bad is not null)
        {
            return $"the payload does not fit {info.Tag}: field '{bad}' is missing or of the wrong kind";
        }
        try
        {
            message = (GaterMessage)JsonSerializer.Deserialize(json, info.JsonTypeInfo)!;
            return null;
        }
        catch (JsonException ex)
        {
            return $"the payload does not fit {info.Tag}: {ex.Message}";
        }
    }
}

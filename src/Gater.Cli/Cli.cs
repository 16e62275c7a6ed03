using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ExEsdbGater;
using ExEsdbGater.Redis;

namespace Gater.Cli;

internal interface ICommand
{
    CommandSpec Spec { get; }

    Task<int> RunAsync(ParsedArgs args, CancellationToken ct);
}

/// <summary>What several commands share: keys, clocks, Redis, JSON lines.</summary>
internal static class Cli
{
    public static readonly Opt SecretOpt = new("secret", "S", "A secret of 32+ bytes; the first one signs. Default: SECRET_KEY_BASE.", Repeatable: true);
    public static readonly Opt KeyOpt = new("key", "KID=S", "A verification key with an explicit key id.", Repeatable: true);
    public static readonly Opt RedisOpt = new("redis", "CONN", "Redis connection string (host:port[,password=…,ssl=true,…]); default: embedded, in this process.");
    public static readonly Opt PrefixOpt = new("prefix", "P", "Redis channel prefix (default exg:).");
    public static readonly Opt NodeNameOpt = new("node-name", "NAME@HOST", "This node's name (default: EXG_NODE_NAME, else process@host).");
    public static readonly Opt JsonOpt = new("json", null, "One JSON object per line instead of the live view.");

    public static string Overview(IEnumerable<ICommand> commands)
    {
        var sb = new StringBuilder();
        sb.AppendLine("gater — the typed, signed, cluster-wide message bus of ExESDB (exg1 frames)");
        sb.AppendLine();
        sb.AppendLine("Usage: gater <command> [options]      gater <command> --help");
        sb.AppendLine();
        sb.AppendLine("Commands:");
        foreach (var c in commands)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {c.Spec.Name,-10} {c.Spec.Summary}");
        }
        sb.AppendLine();
        sb.AppendLine("Keys come from --secret/--key or SECRET_KEY_BASE (and SECRET_KEY_BASE_PREVIOUS).");
        sb.AppendLine("Exit codes: 0 ok, 1 runtime failure or a rejected frame, 2 usage or configuration error.");
        return sb.ToString();
    }

    /// <summary>The key ring from --secret/--key, else from the environment.</summary>
    public static KeyRing Keys(ParsedArgs args, bool allowUnsigned = false)
    {
        var keys = new List<GaterKey>();
        foreach (var s in args.All("secret"))
        {
            keys.Add(GaterKey.FromSecret(s));
        }
        foreach (var k in args.All("key"))
        {
            var eq = k.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"'--key' takes KID=SECRET, not '{k}'");
            }
            keys.Add(GaterKey.FromSecret(k[(eq + 1)..], k[..eq]));
        }
        if (keys.Count > 0)
        {
            return allowUnsigned
                ? throw new GaterConfigurationException("--allow-unsigned only works when no key is configured")
                : KeyRing.Of(keys);
        }
        return KeyRing.Create(new KeyRingOptions { AllowUnsigned = allowUnsigned });
    }

    public static async Task<IGaterBackplane?> BackplaneAsync(ParsedArgs args)
    {
        var conn = args.Get("redis");
        if (conn is null)
        {
            return null;
        }
        return await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = conn, Prefix = args.Get("prefix") ?? "exg:" }).ConfigureAwait(false);
    }

    public static byte[] ReadAllStdin()
    {
        using var stdin = Console.OpenStandardInput();
        using var ms = new MemoryStream();
        stdin.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>The verify line format of wire-format section 6 (extra members allowed).</summary>
    public static void WriteVerifyLine(Utf8JsonWriter w, VerifyResult r, Action<Utf8JsonWriter>? extra = null)
    {
        if (r.IsOk)
        {
            WriteMessageLine(w, r.Envelope!, r.Message!, extra);
            return;
        }
        w.WriteStartObject();
        w.WriteBoolean("ok", false);
        w.WriteString("reason", r.Reason!.Value.WireName());
        extra?.Invoke(w);
        w.WriteEndObject();
    }

    /// <summary>An accepted message in the verify line format, with optional extra members.</summary>
    public static void WriteMessageLine(Utf8JsonWriter w, Envelope e, GaterMessage message, Action<Utf8JsonWriter>? extra = null)
    {
        w.WriteStartObject();
        w.WriteBoolean("ok", true);
        w.WriteString("instance", e.Instance.WireName());
        w.WriteString("topic", e.Topic);
        w.WriteString("type", e.Type);
        w.WriteString("id", e.Id);
        w.WriteString("node", e.Node);
        w.WriteNumber("epoch", e.Epoch);
        w.WriteNumber("seq", e.Seq);
        w.WriteNumber("ts", e.Timestamp);
        w.WritePropertyName("payload");
        WritePayload(w, message);
        extra?.Invoke(w);
        w.WriteEndObject();
    }

    public static void WritePayload(Utf8JsonWriter w, GaterMessage m)
    {
        if (m is ApplicationEvent ev)
        {
            ev.Payload.Element.WriteTo(w);
        }
        else
        {
            JsonSerializer.Serialize(w, m, MessageCatalog.Find(m.GetType())!.JsonTypeInfo);
        }
    }

    public static string JsonLine(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static long ProcessEpoch()
    {
        using var p = System.Diagnostics.Process.GetCurrentProcess();
        return new DateTimeOffset(p.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
    }
}

/// <summary>A clock that stands still (for --now).</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

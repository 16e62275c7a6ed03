using System.Buffers;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ExEsdbGater;
using ExEsdbGater.Beam;
using ExEsdbGater.Redis;

namespace Gater.Cli;

/// <summary>What several commands share: messages, keys, clocks, Redis, JSON lines.</summary>
internal static partial class Cli
{
    public static string Overview(IEnumerable<GaterCommand> commands)
    {
        var sb = new StringBuilder();
        sb.AppendLine("gater — the typed, signed, cluster-wide message bus of ExESDB (exg1 frames)");
        sb.AppendLine();
        sb.AppendLine("Usage: gater <command> [options]      gater <command> --help      gater --version");
        sb.AppendLine();
        sb.AppendLine("Commands:");
        foreach (var c in commands)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {c.Name,-10} {c.Description}");
        }
        sb.AppendLine();
        sb.AppendLine("Keys come from --secret/--key or SECRET_KEY_BASE (and SECRET_KEY_BASE_PREVIOUS).");
        sb.AppendLine("Exit codes: 0 ok, 1 runtime failure or a rejected frame, 2 usage or configuration error.");
        sb.AppendLine("Tab completion: gater answers the [suggest] directive of dotnet-suggest");
        sb.AppendLine("(dotnet tool install -g dotnet-suggest, then add its shell shim); try: gater \"[suggest]\" ver");
        return sb.ToString();
    }

    /// <summary>One plain line for the first problem the parser found.</summary>
    public static string ParseErrorLine(ParseResult parsed)
    {
        var command = parsed.CommandResult.Command as GaterCommand;
        var where = command is null ? "gater" : "gater " + command.Name;
        var see = $"see '{where} --help'";
        if (parsed.UnmatchedTokens.Count > 0)
        {
            var token = parsed.UnmatchedTokens[0];
            if (token.StartsWith('-'))
            {
                var option = Abbreviate(token.Split('=')[0]);
                return command is null ? $"gater: unknown option '{option}'; {see}" : $"{where}: unknown option '{option}' for '{where}'; {see}";
            }
            return command is null ? $"gater: unknown command '{Abbreviate(token)}'; {see}" : $"{where}: unexpected argument '{Abbreviate(token)}' for '{where}'; {see}";
        }
        var error = parsed.Errors[0];
        var message = error.SymbolResult switch
        {
            OptionResult { Tokens.Count: 0 } o => $"'{o.Option.Name}' needs a value: {o.Option.Name} {o.Option.HelpName}",
            OptionResult { Tokens.Count: > 1 } o => $"'{o.Option.Name}' is given twice",
            // a value's error comes from our own option parsers, already worded
            OptionResult or ArgumentResult { Parent: OptionResult } => error.Message,
            _ when command is null => $"a command is needed; {see}",
            _ => Abbreviate(error.Message.TrimEnd('.')) + "; " + see,
        };
        return $"{where}: {message}";
    }

    /// <summary>A user's input shown in a message: one line, long ones shortened.</summary>
    public static string Abbreviate(string s, int max = 80)
    {
        var text = string.Create(Math.Min(s.Length, max), s, (span, src) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(src[i]) ? '?' : src[i];
            }
        });
        return s.Length <= max ? text : $"{text}…({s.Length} characters)";
    }

    /// <summary>
    /// An error message as a user should see it: one line, without .NET parameter names, JSON reader positions or a
    /// library's advice about its own configuration code, and with long quoted inputs shortened.
    /// </summary>
    public static string Plain(string message)
    {
        var text = message.Split('\n')[0].Trim();
        text = ParameterSuffix().Replace(text, "");
        text = JsonPosition().Replace(text, "");
        // StackExchange.Redis advises "abortConnect=false … in your code": advice for programmers, not for gater users
        text = string.Join(". ", text.Split(". ").Where(s => !s.Contains("abortConnect", StringComparison.OrdinalIgnoreCase)));
        return Quoted().Replace(text, m => "'" + Abbreviate(m.Groups[1].Value) + "'");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" ?\(Parameter '[^']*'\)")]
    private static partial System.Text.RegularExpressions.Regex ParameterSuffix();

    [System.Text.RegularExpressions.GeneratedRegex(@" ?(Path: \S* \| )?LineNumber: \d+ \| BytePositionInLine: \d+\.?")]
    private static partial System.Text.RegularExpressions.Regex JsonPosition();

    [System.Text.RegularExpressions.GeneratedRegex("'([^']{81,})'")]
    private static partial System.Text.RegularExpressions.Regex Quoted();

    public static long ProcessEpoch()
    {
        using var p = System.Diagnostics.Process.GetCurrentProcess();
        return new DateTimeOffset(p.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
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
        if (e.Origin != Envelope.Exg1Origin)
        {
            // a linked message: where it came from and how it was checked
            w.WriteString("origin", e.Origin);
            w.WriteString("verification", e.Verification);
            w.WriteBoolean("node_from_sender", e.NodeFromSender);
        }
        w.WritePropertyName("payload");
        Payloads.Write(w, message);
        extra?.Invoke(w);
        w.WriteEndObject();
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
}

/// <summary>--secret and --key: the key ring of a command.</summary>
internal sealed class KeyOptions
{
    public Option<string[]> Secret { get; } = Opt.Many("--secret", "S", "A secret of 32+ bytes (repeatable: the first signs where signing happens, all verify). Default: SECRET_KEY_BASE.");

    public Option<string[]> Key { get; } = Opt.Many("--key", "KID=S", "A verification key with an explicit key id.");

    public void AddTo(Command c)
    {
        c.Add(Secret);
        c.Add(Key);
    }

    /// <summary>The key ring from --secret/--key, else from the environment.</summary>
    public KeyRing Ring(ParseResult args, bool allowUnsigned = false)
    {
        var keys = new List<GaterKey>();
        foreach (var s in args.GetValue(Secret) ?? [])
        {
            keys.Add(GaterKey.FromSecret(s));
        }
        foreach (var k in args.GetValue(Key) ?? [])
        {
            var eq = k.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"'--key' takes KID=SECRET, not '{Cli.Abbreviate(k)}'");
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
}

/// <summary>--redis and --prefix: the Redis backplane of a command.</summary>
internal sealed class RedisOptions(string redisHelp)
{
    public Option<string> Redis { get; } = Opt.Text("--redis", "CONN", redisHelp);

    public Option<string> Prefix { get; } = Opt.Text("--prefix", "P", "Redis key and channel prefix (default exg:).");

    public void AddTo(Command c)
    {
        c.Add(Redis);
        c.Add(Prefix);
    }

    public string? Connection(ParseResult args) => args.GetValue(Redis) switch
    {
        null => null,
        { } s when string.IsNullOrWhiteSpace(s) => throw new UsageException("'--redis' needs a connection string such as 127.0.0.1:6379"),
        { } s => s,
    };

    public string ChannelPrefix(ParseResult args) => args.GetValue(Prefix) ?? "exg:";

    public async Task<IGaterBackplane?> ConnectAsync(ParseResult args, Microsoft.Extensions.Logging.ILoggerFactory? log = null)
    {
        var conn = Connection(args);
        if (conn is null)
        {
            return null;
        }
        return await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = conn, Prefix = ChannelPrefix(args), LoggerFactory = log }).ConfigureAwait(false);
    }

    /// <summary>The Redis Streams transport of durable instances, on the same server and prefix as the backplane.</summary>
    public async Task<IGaterDurableTransport> ConnectDurableAsync(ParseResult args)
    {
        var conn = Connection(args) ?? throw new UsageException("durable instances live in Redis streams and need --redis CONN");
        return await RedisDurableTransport.ConnectAsync(new RedisDurableOptions { ConnectionString = conn, Prefix = ChannelPrefix(args) }).ConfigureAwait(false);
    }
}

/// <summary>A clock that stands still (for --now).</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>--beam, --cookie and --sname: membership in the original's Elixir cluster (Erlang distribution, PG2).</summary>
internal sealed class BeamOptions(string beamHelp)
{
    public Option<string> Beam { get; } = Opt.Text("--beam", "NODE[,NODE…]", beamHelp);

    public Option<string> Cookie { get; } = Opt.Text("--cookie", "C", "With --beam: the Erlang cookie (default: EXG_BEAM_COOKIE, else ~/.erlang.cookie).");

    public Option<string> SName { get; } = Opt.Text("--sname", "NAME", "With --beam: this node's Erlang short name (default: gater<pid>).");

    public void AddTo(Command c)
    {
        c.Add(Beam);
        c.Add(Cookie);
        c.Add(SName);
    }

    /// <summary>The Elixir nodes of --beam, or null without it.</summary>
    public IReadOnlyList<string>? Peers(ParseResult args)
    {
        if (args.GetValue(Beam) is not { } list)
        {
            if (args.GetValue(Cookie) is not null || args.GetValue(SName) is not null)
            {
                throw new UsageException("--cookie and --sname go with --beam NODE[,NODE…]");
            }
            return null;
        }
        var peers = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (peers.Length == 0 || peers.Any(p => !p.Contains('@', StringComparison.Ordinal) || p.StartsWith('@') || p.EndsWith('@')))
        {
            throw new UsageException($"'--beam' takes Elixir node names such as store1@host[,store2@host], not '{Cli.Abbreviate(list)}'");
        }
        return peers;
    }

    /// <summary>
    /// Joins the Elixir cluster of --beam, or null without it. The secrets are the raw strings of --secret, else
    /// SECRET_KEY_BASE (the original signs with its secret_key_base as is).
    /// </summary>
    public async Task<BeamLink?> StartAsync(ParseResult args, KeyOptions? keys, CancellationToken ct)
    {
        if (Peers(args) is not { } peers)
        {
            return null;
        }
        var secrets = keys is not null && args.GetValue(keys.Secret) is { Length: > 0 } given ? given : null;
        return await BeamLink.StartAsync(new BeamLinkOptions { Peers = peers, Cookie = args.GetValue(Cookie), NodeName = args.GetValue(SName), Secrets = secrets }, ct).ConfigureAwait(false);
    }
}

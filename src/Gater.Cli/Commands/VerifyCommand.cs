using System.Buffers;
using System.CommandLine;
using System.Text.Json;
using ExEsdbGater;

namespace Gater.Cli.Commands;

internal sealed class VerifyCommand : GaterCommand
{
    private readonly Option<GaterInstance?> _instance = Opt.Instance("Where the frames arrived: the instance.");
    private readonly Option<string> _topic = Opt.Text("--topic", "T", "Where the frames arrived: the topic.");
    private readonly Option<long?> _now = Opt.Whole("--now", "MS", "The receiver's clock, Unix ms (default: now).", 0);
    private readonly Option<long?> _maxAge = Opt.Whole("--max-age-ms", "N", "Maximum frame age (default 300000).", 0, long.MaxValue / 20_000);
    private readonly Option<bool> _allowUnsigned = Opt.Flag("--allow-unsigned", "Accept unsigned frames (only without any key).");
    private readonly Option<bool> _lines = Opt.Flag("--lines", "One frame per line, sharing one replay memory.");
    private readonly KeyOptions _keys = new();

    public VerifyCommand()
        : base("verify", "Verify frames from standard input; print one JSON line per frame.",
            "--instance I --topic T [--now MS] [--max-age-ms N] [--allow-unsigned] [--lines] [--secret S]... < frame",
            "Prints {\"ok\":true,\"instance\":…,\"payload\":{…}} or {\"ok\":false,\"reason\":\"…\"} per frame.\nExit: 0 all accepted, 1 any rejected, 2 usage or configuration error.")
    {
        Add(_instance);
        Add(_topic);
        Add(_now);
        Add(_maxAge);
        Add(_allowUnsigned);
        Add(_lines);
        _keys.AddTo(this);
    }

    protected override Task<int> RunAsync(ParseResult args, CancellationToken ct)
    {
        var instance = Required(args, _instance);
        var topic = Required(args, _topic);
        var keys = _keys.Ring(args, args.GetValue(_allowUnsigned));
        var options = new VerifierOptions
        {
            TimeProvider = args.GetValue(_now) is { } ms ? new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(ms)) : TimeProvider.System,
            MaxAge = TimeSpan.FromMilliseconds(args.GetValue(_maxAge) ?? 300_000),
        };
        var verifier = new FrameVerifier(keys, options);
        var input = Cli.ReadAllStdin();
        var frames = new List<ReadOnlyMemory<byte>>();
        if (args.GetValue(_lines))
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
        var line = new ArrayBufferWriter<byte>(1024);
        using var w = new Utf8JsonWriter(line);
        foreach (var f in frames)
        {
            var r = verifier.Verify(f.Span, instance, topic);
            allOk &= r.IsOk;
            line.ResetWrittenCount();
            w.Reset(line);
            Cli.WriteVerifyLine(w, r);
            w.Flush();
            line.Write("\n"u8);
            if (!Stdout.Write(line.WrittenSpan))
            {
                break;
            }
        }
        return Task.FromResult(allOk ? 0 : 1);
    }
}

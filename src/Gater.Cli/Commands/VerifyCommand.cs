using System.Buffers;
using System.CommandLine;
using System.Text.Json;
using ExEsdbGater;

namespace Gater.Cli.Commands;

internal sealed class VerifyCommand : GaterCommand
{
    private readonly Option<GaterInstance?> _instance = Opt.Instance("Where the frames arrived: the instance.");
    private readonly Option<string> _topic = Opt.Text("--topic", "T", "Where the frames arrived: the topic.");
    // the last millisecond of year 9999: DateTimeOffset's range
    private const long MaxInstantMs = 253_402_300_799_999;

    private readonly Option<long?> _now = Opt.Whole("--now", "MS", "The receiver's clock, Unix ms (default: now).", 0, MaxInstantMs);
    private readonly Option<long?> _maxAge = Opt.Whole("--max-age-ms", "N", "Maximum frame age (default 300000).", 0, long.MaxValue / 20_000);
    private readonly Option<bool> _allowUnsigned = Opt.Flag("--allow-unsigned", "Accept unsigned frames (only without any key).");
    private readonly Option<bool> _lines = Opt.Flag("--lines", "One frame per line, sharing one replay memory.");
    private readonly KeyOptions _keys = new();

    public VerifyCommand()
        : base("verify", "Verify frames from standard input; print one JSON line per frame.",
            "--instance I --topic T [--now MS] [--max-age-ms N] [--allow-unsigned] [--lines] [--secret S]... < frame",
            "Prints {\"ok\":true,\"instance\":…,\"payload\":{…}} or {\"ok\":false,\"reason\":\"…\"} per frame (with \"line\": N under --lines),\neach as soon as its line is read; a line longer than a frame can be is answered too_large. CR before LF is ignored.\nExit: 0 all accepted, 1 any rejected, 2 usage or configuration error (no key and no --allow-unsigned).")
    {
        Add(_instance);
        Add(_topic);
        Add(_now);
        Add(_maxAge);
        Add(_allowUnsigned);
        Add(_lines);
        _keys.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult args, CancellationToken ct)
    {
        var instance = Required(args, _instance);
        var topic = Required(args, _topic);
        var keys = _keys.Ring(args, args.GetValue(_allowUnsigned));
        var options = new VerifierOptions
        {
            TimeProvider = args.GetValue(_now) is { } ms ? new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(ms)) : TimeProvider.System,
            MaxAge = TimeSpan.FromMilliseconds(args.GetValue(_maxAge) ?? 300_000),
        };
        // without keys every frame is rejected (no_secret_configured, as the spec says) and the exit code is 2
        var unconfigured = !keys.HasKeys && !keys.AllowUnsigned;
        var verifier = new FrameVerifier(keys, options);
        var lines = args.GetValue(_lines);
        Stdin.PromptIfTerminal(lines ? "frames, one per line," : "one frame");
        using var input = Console.OpenStandardInput();
        var reader = new Stdin.LineReader(input, Payloads.MaxFrameBytes);
        var allOk = true;
        var output = new ArrayBufferWriter<byte>(1024);
        using var w = new Utf8JsonWriter(output);
        if (!lines)
        {
            var frame = await reader.NextAsync(ct);
            if (frame is not null && await reader.NextAsync(ct) is not null)
            {
                throw new UsageException("expected one frame but the input has more than one line; use --lines for one frame per line");
            }
            return Exit(Answer(frame ?? new InputLine(1, ReadOnlyMemory<byte>.Empty, false), withNumber: false));
        }
        // each line is answered as it arrives
        while (await reader.NextAsync(ct) is { } line)
        {
            allOk &= Answer(line, withNumber: true);
            if (Stdout.Failed)
            {
                break;
            }
        }
        return Exit(allOk);

        int Exit(bool ok) => unconfigured
            ? throw new GaterConfigurationException("no secret configured: set SECRET_KEY_BASE, pass --secret or --key, or --allow-unsigned for unsigned frames")
            : ok ? 0 : 1;

        bool Answer(InputLine line, bool withNumber)
        {
            output.ResetWrittenCount();
            w.Reset(output);
            Action<Utf8JsonWriter>? number = withNumber ? x => x.WriteNumber("line", line.Number) : null;
            bool ok;
            if (line.TooLong)
            {
                // never held in memory, so never given to the verifier: the verifier's first check, by length
                ok = false;
                w.WriteStartObject();
                w.WriteBoolean("ok", false);
                w.WriteString("reason", RejectReason.TooLarge.WireName());
                number?.Invoke(w);
                w.WriteEndObject();
            }
            else
            {
                var r = verifier.Verify(line.Bytes.Span, instance, topic);
                ok = r.IsOk;
                Cli.WriteVerifyLine(w, r, number);
            }
            w.Flush();
            output.Write("\n"u8);
            Stdout.Write(output.WrittenSpan);
            return ok;
        }
    }
}

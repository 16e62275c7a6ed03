using System.CommandLine;
using ExEsdbGater;

namespace Gater.Cli.Commands;

internal sealed class SignCommand : GaterCommand
{
    private readonly Option<GaterInstance?> _instance = Opt.Instance("The instance, e.g. ex_esdb_health.");
    private readonly Option<string> _topic = Opt.Text("--topic", "T", "The topic, e.g. cluster:health.");
    private readonly Option<string> _type = Opt.Text("--type", "Y", "The message tag, e.g. node_health_updated.");
    private readonly Option<string> _id = Opt.Text("--id", "ID", "Message id (default: generated).");
    private readonly Option<string> _node = Opt.Text("--node", "N", "Publishing node (default: this node).");
    private readonly Option<long?> _epoch = Opt.Whole("--epoch", "E", "Publisher epoch (default: this process's start time in ms).", 0);
    private readonly Option<long?> _seq = Opt.Whole("--seq", "S", "Sequence number (default 1).", 1);
    private readonly Option<long?> _ts = Opt.Whole("--ts", "MS", "Issue time, Unix ms (default: now); also the payload's default timestamp.", 0);
    private readonly KeyOptions _keys = new();

    public SignCommand()
        : base("sign", "Sign the payload JSON on standard input into one exg1 frame.",
            "--instance I --topic T --type Y [--id ID] [--node N] [--epoch E] [--seq S] [--ts MS] [--secret S]... < payload.json",
            """
            Prints the frame and a newline. The payload is the type's fields by name, as for publish --payload: every
            factory argument, and any other field (left out: its default). E.g. for node_health_updated:
            {"node":"a@host","status":"healthy"}. See 'gater catalog'.
            """)
    {
        Add(_instance);
        Add(_topic);
        Add(_type);
        Add(_id);
        Add(_node);
        Add(_epoch);
        Add(_seq);
        Add(_ts);
        _keys.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult args, CancellationToken ct)
    {
        var instance = Required(args, _instance);
        var topic = Required(args, _topic);
        var type = Required(args, _type);
        var keys = _keys.Ring(args);
        Stdin.PromptIfTerminal("the payload JSON");
        var payload = await Stdin.ReadAllAsync(Payloads.MaxFrameBytes, ct)
            ?? throw new UsageException($"the payload is larger than a frame can hold ({Payloads.MaxFrameBytes} bytes)");
        var error = Payloads.ParseObject(payload, "the payload", out var doc);
        if (error is not null)
        {
            throw new UsageException(error);
        }
        var node = args.GetValue(_node) ?? NodeName.Resolve();
        var ts = args.GetValue(_ts);
        // the same path as publish: factory arguments, anything else defaulted (timestamp: --ts, else now)
        GaterMessage message;
        using (doc)
        {
            var context = new MessageContext(node, ts is { } ms ? new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(ms)) : null);
            message = Payloads.Create(instance, type, doc.RootElement, context, "the payload");
        }
        var envelope = new Envelope(instance, topic, message.Tag, args.GetValue(_id) ?? ElixirCompat.GenerateMessageId(), node,
            args.GetValue(_epoch) ?? Cli.ProcessEpoch(), args.GetValue(_seq) ?? 1, ts ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        byte[] frame;
        try
        {
            frame = FrameEncoder.Encode(keys, envelope, message);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
        if (frame.Length > Payloads.MaxFrameBytes)
        {
            throw new UsageException($"the frame would be {frame.Length} bytes; a frame holds at most {Payloads.MaxFrameBytes}");
        }
        Stdout.Write([.. frame, (byte)'\n']);
        return 0;
    }
}

using System.Buffers.Text;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using ExEsdbGater;
using Gater.Cli.Demo;

namespace Gater.Cli.Commands;

internal sealed class DemoCommand : GaterCommand
{
    private static readonly TimeSpan DemoMaxAge = TimeSpan.FromSeconds(5);

    private readonly Option<long?> _nodes = Opt.Whole("--nodes", "N", "Simulated nodes in this process (default 3; 1 with --redis).", 1, 50);
    private readonly Option<TimeSpan?> _duration = Opt.Duration("--duration", "D", "Run this long once the cluster is up, e.g. 30s, 2m or 200ms (default: until Ctrl+C; 12s in JSON mode).");
    private readonly Option<double?> _rate = Opt.Number("--rate", "R", "Messages per second per node (default 20).", 0.1, 5000);
    private readonly Option<bool> _json = Opt.Flag("--json", "One JSON object per line instead of the live view.");
    private readonly Option<bool> _noRogue = Opt.Flag("--no-rogue", "Do not inject bad frames.");
    private readonly RedisOptions _redis = new("Redis connection string (host:port[,password=…,ssl=true,…]); default: embedded, in this process.");
    private readonly Option<string> _nodeName = Opt.Text("--node-name", "NAME@HOST", "This node's name (default: EXG_NODE_NAME, else process@host).");
    private readonly BeamOptions _beam = new("Also show what these Elixir nodes running the original library broadcast (store1@host[,…]); needs SECRET_KEY_BASE.");

    public DemoCommand()
        : base("demo", "Run a simulated cluster with a rogue publisher and watch it live (embedded, no server).",
            "[--nodes N] [--duration D] [--rate R] [--json] [--redis CONN --node-name NAME@HOST] [--beam NODE[,NODE…] [--cookie C]]",
            """
            Embedded (default): all nodes share an in-process backplane; without SECRET_KEY_BASE an ephemeral cluster
            secret is made for the run (the rogue never has it). Across processes, start one per terminal:
              SECRET_KEY_BASE=… gater demo --redis 127.0.0.1:6379 --node-name a@host
            Every node needs the same SECRET_KEY_BASE. When standard output is not a terminal, or with --json, one JSON
            line per message and per rejection (the 'gater verify' format) is printed, then one summary line.
            The demo uses a 5 s max frame age so that held-back frames show up as 'expired' quickly.
            With --redis, a lost or restored connection is reported as it happens (a {"backplane":"disconnected",…}
            line and a line on stderr); the summary counts disconnects, reconnects and publish_failures, and the exit
            code is 1 when any publish failed (those messages went nowhere).
            With --redis, ex_esdb_audit, ex_esdb_security and ex_esdb_alerts are durable (Redis streams, consumer
            groups named after each node and role; follow them with 'gater tail --durable'); the others stay pub/sub.
            The view's header names the durable instances; in JSON the first line is {"durable":[…]} and the
            summary repeats it (embedded: only the summary, "durable":[]).
            With --beam, the watching node (embedded: the monitor; with --redis: this process's node) also joins those
            Elixir nodes' Phoenix.PubSub groups: their nodes appear beside the simulated ones, their messages checked
            the original's way (docs/beam.md), and this node's broadcasts reach them.
            """)
    {
        Add(_nodes);
        Add(_duration);
        Add(_rate);
        Add(_json);
        Add(_noRogue);
        _redis.AddTo(this);
        Add(_nodeName);
        _beam.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult args, CancellationToken ct)
    {
        var redis = _redis.Connection(args);
        var nodes = (int)(args.GetValue(_nodes) ?? (redis is null ? 3 : 1));
        var rate = args.GetValue(_rate) ?? 20;
        var json = args.GetValue(_json) || Console.IsOutputRedirected;
        var duration = args.GetValue(_duration) ?? (json ? TimeSpan.FromSeconds(12) : (TimeSpan?)null);
        var rogueOn = !args.GetValue(_noRogue);
        if (redis is null && args.GetValue(_nodeName) is not null)
        {
            throw new UsageException("--node-name names this process's node on Redis; the embedded demo names its own nodes (add --redis CONN)");
        }
        string secretNote;
        KeyRing keys;
        if (Environment.GetEnvironmentVariable(KeyRing.SecretVariable) is { Length: > 0 })
        {
            keys = KeyRing.Create();
            secretNote = $"cluster secret from SECRET_KEY_BASE (kid {keys.SigningKey!.Kid})";
        }
        else if (redis is not null)
        {
            throw new GaterConfigurationException("across processes every node needs the same SECRET_KEY_BASE (32+ bytes; make one with 'gater keygen')");
        }
        else
        {
            keys = KeyRing.Of(GaterKey.FromSecret(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48))));
            secretNote = $"no SECRET_KEY_BASE: using an ephemeral cluster secret for this run (kid {keys.SigningKey!.Kid}); the rogue does not have it";
        }
        if (json)
        {
            await Console.Error.WriteLineAsync("gater demo: " + secretNote);
        }
        if (_beam.Peers(args) is not null && Environment.GetEnvironmentVariable(KeyRing.SecretVariable) is not { Length: > 0 })
        {
            throw new GaterConfigurationException("--beam needs SECRET_KEY_BASE: the secret_key_base the Elixir nodes sign with");
        }
        await using var beam = await _beam.StartAsync(args, null, ct);
        IReadOnlyList<IGaterLink> links = beam is null ? [] : [beam];
        beam?.StateChanged += s => Console.Error.WriteLine($"beam: {s.State} {s.Detail}");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var state = new DemoState();
        var outages = new Outages();
        var verifierOptions = new VerifierOptions { MaxAge = DemoMaxAge };
        var owned = new List<IAsyncDisposable>();
        var sims = new List<SimNode>();
        IGaterBus monitor;
        GaterInstance[] durable = [];
        Func<Task<IGaterBackplane>> connect;
        var host = NodeName.FromParts("x", Environment.MachineName).Split('@')[1];
        if (redis is null)
        {
            var hub = new InProcessHub();
            connect = () => Task.FromResult(hub.Connect());
            for (var i = 1; i <= nodes; i++)
            {
                var bus = GaterBus.Create(new GaterBusOptions { NodeName = $"store{i}@{host}", Keys = keys, Backplane = hub.Connect(), Verifier = verifierOptions });
                owned.Add(bus);
                sims.Add(new SimNode(bus, "vehicle_store", i - 1, nodes, rate, i * 7919));
            }
            monitor = GaterBus.Create(new GaterBusOptions { NodeName = $"monitor@{host}", Keys = keys, Backplane = hub.Connect(), Verifier = verifierOptions, Links = links });
            owned.Add(monitor);
        }
        else
        {
            connect = async () => (await _redis.ConnectAsync(args, outages))!;
            var name = NodeName.Resolve(args.GetValue(_nodeName));
            // one durable transport for the process, disposed after every bus (owned is disposed in reverse)
            var transport = await _redis.ConnectDurableAsync(args);
            owned.Add(transport);
            var modes = new GaterBusOptions { DurableTransport = transport };
            durable = [.. GaterInstances.All.Where(i => modes.DeliveryModeOf(i) == DeliveryMode.Durable)];
            for (var i = 1; i <= nodes; i++)
            {
                var backplane = await connect();
                owned.Add(backplane);
                var bus = GaterBus.Create(new GaterBusOptions { NodeName = nodes == 1 ? name : name.Replace("@", i.ToString(CultureInfo.InvariantCulture) + "@", StringComparison.Ordinal), Keys = keys, Backplane = backplane, DurableTransport = transport, Verifier = verifierOptions, Links = i == 1 ? links : [] });
                owned.Add(bus);
                sims.Add(new SimNode(bus, "vehicle_store", i - 1, nodes, rate, Environment.ProcessId + i));
            }
            monitor = sims[0].Bus;
        }

        var output = json ? new JsonLines(durable) : null;
        if (redis is not null)
        {
            // embedded, every line but the summary is a message or a rejection; nothing there is durable
            output?.WriteLine(Cli.JsonLine(w =>
            {
                w.WriteStartObject();
                JsonLines.WriteDurable(w, durable);
                w.WriteEndObject();
            }));
        }
        if (redis is not null)
        {
            // an outage is news: a JSON line in the stream, a line on stderr, counts in the summary and the view
            foreach (var s in sims)
            {
                var node = s.Name;
                s.Bus.BackplaneStateChanged += change =>
                {
                    var line = outages.On(node, change);
                    if (output is not null)
                    {
                        output.WriteLine(line);
                        Console.Error.WriteLine(Outages.Notice(node, change));
                    }
                };
            }
        }
        state.Outages = outages;
        state.FailedPublishes = () => outages.FailedPublishes + sims.Sum(s => s.Failures);
        monitor.GapDetected += _ => Interlocked.Increment(ref state.Gaps);
        monitor.StreamGapDetected += _ => Interlocked.Increment(ref state.Gaps);
        // On durable instances a subscription is a group consumer: one group per bus and role, so that (as over pub/sub)
        // each of them sees every message, and they never share one group (one consumer per group and bus).
        SubscriptionOptions Own(IGaterBus bus, string role, SubscriptionOptions? options = null) => (options ?? new SubscriptionOptions()) with { Group = $"{bus.Node}/{role}" };
        foreach (var instance in GaterInstances.All)
        {
            await monitor.SubscribeAsync(instance, "*", d =>
            {
                if (d.Rejection is { } r)
                {
                    state.Reject(r);
                }
                else
                {
                    state.Accept(d);
                }
                output?.Write(d);
            }, Own(monitor, "monitor", new SubscriptionOptions { IncludeRejections = true, Capacity = 100_000, Name = "monitor " + instance.WireName() }), CancellationToken.None);
        }
        // the on-call node acknowledges alerts; the raisers learn of acks and stop escalating
        var oncall = sims[0];
        await oncall.Bus.SubscribeAsync<SystemAlert>("*", (a, _) => oncall.OnAlert(a), Own(oncall.Bus, "oncall"), CancellationToken.None);
        foreach (var s in sims)
        {
            await s.Bus.SubscribeAsync<AlertAck>("*", (a, _) => s.Acknowledged(a.AlertId), Own(s.Bus, "acks"), CancellationToken.None);
        }

        var tasks = new List<Task> { Task.Run(() => oncall.AckLoopAsync(stop.Token), CancellationToken.None) };
        foreach (var s in sims)
        {
            await s.BootAsync(CancellationToken.None);
            tasks.Add(Task.Run(() => s.RunAsync(stop.Token), CancellationToken.None));
        }
        Rogue? rogue = null;
        if (rogueOn)
        {
            var rogueBackplane = await connect();
            owned.Add(rogueBackplane);
            rogue = new Rogue(rogueBackplane, keys.SigningKey!.Kid, DemoMaxAge);
            tasks.Add(Task.Run(() => rogue.RunAsync(TimeSpan.FromMilliseconds(250), stop.Token), CancellationToken.None));
        }

        // the duration counts from here: set up first (however short the run), so the summary always comes
        if (duration is { } d)
        {
            stop.CancelAfter(d);
        }
        if (json)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        else
        {
            await LiveView.RunAsync(state, new LiveView.Info(monitor, redis is null ? "in-process" : "redis", secretNote, duration, rogueOn, durable), stop.Token);
        }
        await Task.WhenAll(tasks);
        await Task.Delay(200, CancellationToken.None); // let in-flight deliveries land
        // stop every bus (and so every subscriber loop) first: the summary then counts exactly the lines printed
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            await owned[i].DisposeAsync();
        }
        output?.Summary(state, monitor, rogue);
        var failed = state.FailedPublishes();
        if (outages.Disconnects > 0 || failed > 0)
        {
            // the run did not do what it was asked: say so, and do not exit as if it had
            await Console.Error.WriteLineAsync(Outages.Summary(outages.Disconnects, failed));
            return failed > 0 ? 1 : 0;
        }
        return 0;
    }

    private sealed class JsonLines(GaterInstance[] durable)
    {
        private readonly Lock _lock = new();

        public static void WriteDurable(System.Text.Json.Utf8JsonWriter w, GaterInstance[] durable)
        {
            w.WriteStartArray("durable");
            foreach (var i in durable)
            {
                w.WriteStringValue(i.WireName());
            }
            w.WriteEndArray();
        }

        public void Write(Delivery d) => WriteLine(TailCommand.JsonOf(d));

        public void WriteLine(string line)
        {
            lock (_lock)
            {
                Stdout.WriteLine(line);
            }
        }

        public void Summary(DemoState state, IGaterBus monitor, Rogue? rogue)
        {
            var stats = monitor.Statistics;
            var line = Cli.JsonLine(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("summary", true);
                w.WriteNumber("seconds", Math.Round((DateTimeOffset.UtcNow - state.Started).TotalSeconds, 1));
                w.WriteNumber("verified", Interlocked.Read(ref state.Verified));
                w.WriteNumber("rejected", Interlocked.Read(ref state.Rejected));
                w.WriteStartObject("rejected_by_reason");
                foreach (var (r, n) in state.RejectedByReason.OrderBy(p => p.Key))
                {
                    w.WriteNumber(r.WireName(), n);
                }
                w.WriteEndObject();
                w.WriteStartObject("verified_by_instance");
                foreach (var (i, n) in state.VerifiedByInstance.OrderBy(p => p.Key))
                {
                    w.WriteNumber(i.WireName(), n);
                }
                w.WriteEndObject();
                w.WriteNumber("types_seen", state.TypesSeen.Count);
                w.WriteNumber("gaps", stats.Gaps);
                w.WriteNumber("dropped", stats.Dropped);
                w.WriteNumber("rogue_frames_sent", rogue?.Sent ?? 0);
                // Redis outages during the run (always 0 in-process): the run is complete only when these are 0
                w.WriteNumber("disconnects", state.Outages?.Disconnects ?? 0);
                w.WriteNumber("reconnects", state.Outages?.Reconnects ?? 0);
                w.WriteNumber("publish_failures", state.FailedPublishes());
                WriteDurable(w, durable);
                w.WriteStartArray("nodes");
                foreach (var n in state.Nodes.Keys.Order())
                {
                    w.WriteStringValue(n);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
            lock (_lock)
            {
                Stdout.WriteLine(line);
            }
        }
    }
}

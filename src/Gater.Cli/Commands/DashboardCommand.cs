using System.Buffers.Text;
using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using ExEsdbGater;
using ExEsdbGater.Dashboard;
using Gater.Cli.Demo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gater.Cli.Commands;

internal sealed class DashboardCommand : GaterCommand
{
    private const int DefaultPort = 4280;
    private static readonly TimeSpan DemoMaxAge = TimeSpan.FromSeconds(5);

    private readonly Option<long?> _port = Opt.Whole("--port", "P", $"TCP port to serve on (default {DefaultPort}; 0 picks a free one).", 0, 65535);
    private readonly Option<string> _bind = Opt.Text("--bind", "ADDR", "Address to listen on (default 127.0.0.1; another than loopback needs --token).");
    private readonly Option<string> _token = Opt.Text("--token", "T", "Access token (16+ characters) every request must carry: ?token=, cookie or X-Gater-Token header.");
    private readonly Option<long?> _nodes = Opt.Whole("--nodes", "N", "Simulated nodes of the embedded demo cluster (default 3).", 1, 50);
    private readonly Option<double?> _rate = Opt.Number("--rate", "R", "Messages per second per simulated node (default 5).", 0.1, 5000);
    private readonly Option<bool> _noRogue = Opt.Flag("--no-rogue", "Do not inject bad frames into the embedded demo cluster.");
    private readonly RedisOptions _redis = new("Watch a real cluster on this Redis (needs SECRET_KEY_BASE); default: an embedded demo cluster.");
    private readonly BeamOptions _beam = new("Also watch these Elixir nodes running the original library (store1@host[,…]); needs SECRET_KEY_BASE.");

    public DashboardCommand()
        : base("dashboard", "Serve a live web dashboard of a cluster (an embedded demo cluster by default).",
            "[--port P] [--bind ADDR] [--token T] [--redis CONN] [--beam NODE[,NODE…] [--cookie C]] [--nodes N] [--rate R] [--no-rogue]",
            """
            Prints the dashboard's URL, then serves it until Ctrl+C or SIGTERM. Embedded (default): simulated nodes
            and a rogue publisher (whose frames are all rejected) on an in-process bus, with an ephemeral cluster secret
            unless SECRET_KEY_BASE is set; acknowledge their alerts from the page. With --redis the dashboard joins the
            cluster as a node of its own and watches what the others publish. With --beam it also joins those Elixir
            nodes' Phoenix.PubSub groups and shows their messages, checked the original's way (docs/beam.md).
            Binding another address than loopback needs --token: the URL printed carries it once, then the page keeps it
            in a cookie.
            """)
    {
        Add(_port);
        Add(_bind);
        Add(_token);
        Add(_nodes);
        Add(_rate);
        Add(_noRogue);
        _redis.AddTo(this);
        _beam.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult args, CancellationToken ct)
    {
        var bindText = args.GetValue(_bind) ?? "127.0.0.1";
        if (!IPAddress.TryParse(bindText, out var bind))
        {
            throw new UsageException($"'--bind' must be an IP address such as 127.0.0.1 or 0.0.0.0, not '{Cli.Abbreviate(bindText)}'");
        }
        var token = args.GetValue(_token);
        if (token is not null && token.Length < 16)
        {
            throw new UsageException("'--token' must be at least 16 characters (make one with 'gater keygen')");
        }
        if (token is null && !IPAddress.IsLoopback(bind))
        {
            throw new UsageException($"binding {bind} exposes the dashboard beyond this machine: add --token T (16+ characters)");
        }
        var port = (int)(args.GetValue(_port) ?? DefaultPort);
        var redis = _redis.Connection(args);
        var nodes = (int)(args.GetValue(_nodes) ?? 3);
        var rate = args.GetValue(_rate) ?? 5;

        KeyRing keys;
        if (Environment.GetEnvironmentVariable(KeyRing.SecretVariable) is { Length: > 0 })
        {
            keys = KeyRing.Create();
        }
        else if (redis is not null || _beam.Peers(args) is not null)
        {
            throw new GaterConfigurationException($"to watch a cluster on {(redis is not null ? "Redis" : "BEAM")} the dashboard needs its SECRET_KEY_BASE (32+ bytes)");
        }
        else
        {
            keys = KeyRing.Of(GaterKey.FromSecret(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48))));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var owned = new List<IAsyncDisposable>();
        var tasks = new List<Task>();
        try
        {
            var host = NodeName.FromParts("x", Environment.MachineName).Split('@')[1];
            var verifier = new VerifierOptions { MaxAge = DemoMaxAge };
            var hub = redis is null ? new InProcessHub() : null;
            IGaterBackplane backplane = hub is null ? (await _redis.ConnectAsync(args))! : hub.Connect();
            owned.Add(backplane);
            var beam = await _beam.StartAsync(args, null, ct);
            if (beam is not null)
            {
                owned.Add(beam);
                beam.StateChanged += s => Console.Error.WriteLine($"beam: {s.State} {s.Detail}");
            }
            var bus = GaterBus.Create(new GaterBusOptions { NodeName = hub is null ? NodeName.Resolve(null) : $"dashboard@{host}", Keys = keys, Backplane = backplane, Verifier = hub is null ? new VerifierOptions() : verifier, Links = beam is null ? [] : [beam] });
            owned.Add(bus);

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(bind, port));
            // keys for antiforgery live as long as the process: nothing written to disk
            builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
            builder.Services.AddSingleton(bus);
            builder.Services.AddExEsdbGaterDashboard(o => o.AccessToken = token);
            var app = builder.Build();
            owned.Add(app);
            app.MapExEsdbGaterDashboard("/gater");
            try
            {
                // before the simulated nodes boot: their start-up reports (lifecycle and all) are seen
                await app.StartAsync(stop.Token);
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"gater dashboard: cannot listen on {bind}:{port}: {Cli.Plain(ex.Message)}");
                return 1;
            }
            if (hub is not null)
            {
                var sims = new List<SimNode>();
                for (var i = 1; i <= nodes; i++)
                {
                    var node = GaterBus.Create(new GaterBusOptions { NodeName = $"store{i}@{host}", Keys = keys, Backplane = hub.Connect(), Verifier = verifier });
                    owned.Add(node);
                    var sim = new SimNode(node, "vehicle_store", i - 1, nodes, rate, i * 7919);
                    sims.Add(sim);
                    // acknowledged from the page: the raiser stops escalating
                    await node.SubscribeAsync<AlertAck>("*", (a, _) => sim.Acknowledged(a.AlertId), null, CancellationToken.None);
                }
                foreach (var sim in sims)
                {
                    await sim.BootAsync(CancellationToken.None);
                    tasks.Add(Task.Run(() => sim.RunAsync(stop.Token), CancellationToken.None));
                }
                if (!args.GetValue(_noRogue))
                {
                    var rogueBackplane = hub.Connect();
                    owned.Add(rogueBackplane);
                    var rogue = new Rogue(rogueBackplane, keys.SigningKey!.Kid, DemoMaxAge);
                    tasks.Add(Task.Run(() => rogue.RunAsync(TimeSpan.FromMilliseconds(1000), stop.Token), CancellationToken.None));
                }
            }
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var shown = address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal);
            Stdout.WriteLine($"gater dashboard: {shown}/gater/{(token is null ? "" : "?token=" + Uri.EscapeDataString(token))}");
            Stdout.WriteLine(redis is null ? $"watching an embedded demo cluster of {nodes} nodes{(args.GetValue(_noRogue) ? "" : " and a rogue publisher")}; Ctrl+C stops" : $"watching the cluster on {redis} as {bus.Node}; Ctrl+C stops");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None);
            return 0;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(tasks);
            for (var i = owned.Count - 1; i >= 0; i--)
            {
                await owned[i].DisposeAsync();
            }
        }
    }
}

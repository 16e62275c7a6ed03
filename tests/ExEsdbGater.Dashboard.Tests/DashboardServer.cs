using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using ExEsdbGater.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Dashboard.Tests;

/// <summary>A real Kestrel on a free port serving the dashboard of a real bus, with a peer node on the same hub.</summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, InProcessHub hub, KeyRing keys, IGaterBus bus, IGaterBus peer, string url)
    {
        _app = app;
        Hub = hub;
        Keys = keys;
        Bus = bus;
        Peer = peer;
        Url = url;
    }

    public InProcessHub Hub { get; }

    public KeyRing Keys { get; }

    /// <summary>The dashboard's own bus.</summary>
    public IGaterBus Bus { get; }

    /// <summary>Another node of the cluster: publishes what the dashboard should show, hears what it publishes.</summary>
    public IGaterBus Peer { get; }

    /// <summary>The page, e.g. http://127.0.0.1:P/gater/.</summary>
    public string Url { get; }

    /// <param name="seenAs">
    /// Serve as if the server were reached on this (non-loopback) address: Kestrel still listens on loopback only and a
    /// first middleware rewrites the connection's addresses, so no test traffic ever leaves loopback.
    /// </param>
    public static async Task<DashboardServer> StartAsync(Action<GaterDashboardOptions>? configure = null, IPAddress? seenAs = null)
    {
        var hub = new InProcessHub();
        var keys = KeyRing.Of(GaterKey.FromSecret(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48))));
        var bus = GaterBus.Create(new GaterBusOptions { NodeName = "dashboard@test", Keys = keys, Backplane = hub.Connect() });
        var peer = GaterBus.Create(new GaterBusOptions { NodeName = "peer@test", Keys = keys, Backplane = hub.Connect() });
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        builder.Services.AddSingleton(bus);
        builder.Services.AddExEsdbGaterDashboard(configure);
        var app = builder.Build();
        if (seenAs is not null)
        {
            app.Use((ctx, next) =>
            {
                ctx.Connection.LocalIpAddress = seenAs;
                ctx.Connection.RemoteIpAddress = seenAs;
                return next(ctx);
            });
        }
        app.MapExEsdbGaterDashboard("/gater");
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return new DashboardServer(app, hub, keys, bus, peer, $"http://127.0.0.1:{port}/gater/");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Peer.DisposeAsync();
        await Bus.DisposeAsync();
    }
}

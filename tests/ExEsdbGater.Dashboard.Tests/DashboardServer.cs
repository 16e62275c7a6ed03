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

    public static async Task<DashboardServer> StartAsync(Action<GaterDashboardOptions>? configure = null, IPAddress? bind = null)
    {
        var hub = new InProcessHub();
        var keys = KeyRing.Of(GaterKey.FromSecret(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48))));
        var bus = GaterBus.Create(new GaterBusOptions { NodeName = "dashboard@test", Keys = keys, Backplane = hub.Connect() });
        var peer = GaterBus.Create(new GaterBusOptions { NodeName = "peer@test", Keys = keys, Backplane = hub.Connect() });
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        var address = bind ?? IPAddress.Loopback;
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, 0));
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        builder.Services.AddSingleton(bus);
        builder.Services.AddExEsdbGaterDashboard(configure);
        var app = builder.Build();
        app.MapExEsdbGaterDashboard("/gater");
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return new DashboardServer(app, hub, keys, bus, peer, $"http://{host}:{port}/gater/");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Peer.DisposeAsync();
        await Bus.DisposeAsync();
    }
}

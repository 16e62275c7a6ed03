using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ExEsdbGater.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Dashboard.Tests;

/// <summary>The dashboard in an app whose bus comes from AddExEsdbGater, and its live stream under a burst.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Mounted_next_to_AddExEsdbGater_it_shows_what_the_app_publishes()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ExEsdbGater:NodeName"] = "orders@test",
            ["ExEsdbGater:Secret"] = "dashboard-hosting-test-secret-0123456789-abcdefghijklmnop",
        });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        builder.Services.AddExEsdbGater();
        builder.Services.AddExEsdbGaterDashboard();
        await using var app = builder.Build();
        app.MapExEsdbGaterDashboard("/ops/gater");
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        var bus = app.Services.GetRequiredService<IGaterBus>();
        await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth(bus.Node, NodeHealthStatus.Healthy, loadAvg: 0.25));

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{port}/ops/gater/")).StatusCode);
        var snapshot = await FirstSnapshotAsync(http, $"http://127.0.0.1:{port}/ops/gater/events", s => s.GetProperty("nodes").GetArrayLength() > 0);
        Assert.Equal("orders@test", snapshot.GetProperty("self").GetString());
        var node = Assert.Single(snapshot.GetProperty("nodes").EnumerateArray());
        Assert.Equal("orders@test", node.GetProperty("name").GetString());
        Assert.Equal("healthy", node.GetProperty("status").GetString());
        await app.StopAsync();
    }

    [Fact]
    public async Task A_burst_of_messages_reaches_a_page_as_a_few_snapshots()
    {
        await using var server = await DashboardServer.StartAsync();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var response = await http.GetAsync(server.Url + "events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        const int burst = 20_000;
        var clock = Stopwatch.StartNew();
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < burst; i++)
            {
                await server.Peer.BroadcastAsync("application_logs", LoggingMessages.LogEntry(LogEntryLevel.Info, "burst " + i, "Load"));
            }
        });
        var events = 0;
        long verified = 0, dropped = 0;
        using var give = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // the dashboard's queues may drop under a burst (it never slows the bus); it counts and shows what it dropped
        while (verified + dropped < burst && await reader.ReadLineAsync(give.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events++;
                var s = JsonDocument.Parse(line[6..]).RootElement;
                verified = s.GetProperty("verified").GetInt64();
                dropped = s.GetProperty("dropped").GetInt64();
            }
        }
        await publishing;
        var elapsed = clock.Elapsed;
        Assert.Equal(burst, verified + dropped);
        Assert.True(verified > 0);
        // not a speed claim: however long the burst took, the page got at most one snapshot per 100 ms tick (+ the first)
        Assert.True(events <= (elapsed.TotalMilliseconds / 100) + 2, $"{events} snapshots in {elapsed.TotalMilliseconds:F0} ms");
    }

    private static async Task<JsonElement> FirstSnapshotAsync(HttpClient http, string url, Func<JsonElement, bool> ready)
    {
        using var give = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, give.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(give.Token));
        while (await reader.ReadLineAsync(give.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonDocument.Parse(line[6..]).RootElement.Clone() is var s && ready(s))
            {
                return s;
            }
        }
        throw new InvalidOperationException("the event stream ended");
    }
}

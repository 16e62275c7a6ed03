using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ExEsdbGater.Dashboard.Tests;

/// <summary>The <c>gater dashboard</c> command, run as a process.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardCommandTests(Chromium chromium)
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Serves_the_page_on_the_given_port_and_stops_on_SIGTERM()
    {
        var port = GaterDashboardProcess.FreePort();
        using var gater = GaterDashboardProcess.Start("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-rogue");
        var url = gater.WaitForUrl(Start);
        Assert.Equal($"http://127.0.0.1:{port}/gater/", url);
        using var http = new HttpClient();
        using var page = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>ExEsdbGater dashboard</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // a page left open (its event stream) must not hold the stop for the host's 30 s shutdown timeout
        using var events = await http.GetAsync(url + "events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        await gater.TerminateAsync();
        Assert.Equal(0, await gater.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.True(gater.Errors.Length == 0, gater.Errors);
    }

    [Fact]
    public async Task With_redis_it_watches_what_other_processes_publish()
    {
        const string secret = "dashboard-redis-test-secret-0123456789-abcdefghijklmnop";
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            using var gater = GaterDashboardProcess.Start(new Dictionary<string, string> { ["SECRET_KEY_BASE"] = secret, ["EXG_NODE_NAME"] = "ops@test" }, "--port", "0", "--redis", redis.ConnectionString);
            var url = gater.WaitForUrl(Start);
            await using var backplane = await ExEsdbGater.Redis.RedisBackplane.ConnectAsync(new ExEsdbGater.Redis.RedisBackplaneOptions { ConnectionString = redis.ConnectionString });
            await using var store = GaterBus.Create(new GaterBusOptions { NodeName = "store9@test", Keys = KeyRing.Of(GaterKey.FromSecret(secret)), Backplane = backplane });
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            using var give = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var response = await http.GetAsync(url + "events", HttpCompletionOption.ResponseHeadersRead, give.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(give.Token));
            await store.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("store9@test", NodeHealthStatus.Degraded, loadAvg: 4));
            string? status = null;
            while (status is null && await reader.ReadLineAsync(give.Token) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    var s = System.Text.Json.JsonDocument.Parse(line[6..]).RootElement;
                    Assert.Equal("ops@test", s.GetProperty("self").GetString());
                    status = s.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("name").GetString() == "store9@test")
                        .Select(n => n.GetProperty("status").GetString()).FirstOrDefault();
                }
            }
            Assert.Equal("degraded", status);
            await gater.TerminateAsync();
            Assert.Equal(0, await gater.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_non_loopback_bind_without_a_token_is_a_usage_error()
    {
        using var gater = GaterDashboardProcess.Start("--bind", "0.0.0.0", "--port", "0");
        Assert.Equal(2, await gater.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("--token", gater.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_cluster_shows_its_nodes_alerts_and_rejections()
    {
        using var gater = GaterDashboardProcess.Start("--port", "0", "--rate", "10");
        var url = gater.WaitForUrl(Start);
        var (page, errors) = await chromium.OpenAsync(url);
        foreach (var n in new[] { "store1", "store2", "store3" })
        {
            await Expect(page.Locator($"tr[data-node^='{n}@'] td.health")).ToHaveTextAsync("healthy", new() { Timeout = 15_000 });
        }
        await Expect(page.Locator("#alerts li").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("#rejection-reasons .reason").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.Locator("#logs li").First).ToBeVisibleAsync();
        // let the charts fill a little, then keep the picture for the README when asked to
        await page.WaitForTimeoutAsync(3000);
        if (Environment.GetEnvironmentVariable("GATER_DASHBOARD_SCREENSHOT") is { Length: > 0 } path)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        }
        Assert.Empty(errors);
        await page.CloseAsync();
        await gater.TerminateAsync();
        Assert.Equal(0, await gater.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}

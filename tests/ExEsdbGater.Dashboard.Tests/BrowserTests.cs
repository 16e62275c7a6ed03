using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ExEsdbGater.Dashboard.Tests;

/// <summary>The dashboard in a real browser against a real bus.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserTests(Chromium chromium)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Page_loads_and_goes_live_without_console_errors()
    {
        await using var server = await DashboardServer.StartAsync();
        var (page, errors) = await chromium.OpenAsync(server.Url);
        await Expect(page.Locator("#self")).ToHaveTextAsync("watching as dashboard@test");
        // a few updates in: the script has drawn every section without throwing
        await server.Peer.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("peer@test", NodeHealthStatus.Healthy, loadAvg: 0.5));
        await Expect(page.Locator("tr[data-node='peer@test']")).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(500);
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_node_health_published_on_the_bus_appears_within_a_second()
    {
        await using var server = await DashboardServer.StartAsync();
        var (page, errors) = await chromium.OpenAsync(server.Url);
        await server.Peer.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("store7@test", NodeHealthStatus.Degraded, loadAvg: 3.25, memoryUsage: 71.5, diskUsage: 40));
        var row = page.Locator("tr[data-node='store7@test']");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 1000 });
        await Expect(row.Locator("td.health")).ToHaveTextAsync("degraded");
        await Expect(row).ToContainTextAsync("3.25");
        await Expect(row).ToContainTextAsync("71.5");
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Acknowledging_an_alert_in_the_page_publishes_a_verified_AlertAck()
    {
        await using var server = await DashboardServer.StartAsync();
        var acks = new TaskCompletionSource<(AlertAck Ack, Envelope Envelope)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sub = await server.Peer.SubscribeAsync<AlertAck>("*", (a, e) => acks.TrySetResult((a, e)));
        var (page, errors) = await chromium.OpenAsync(server.Url);
        var alert = AlertMessages.SystemAlert(AlertSeverity.Critical, AlertCategory.System, "disk full", "store7 has 1% left", "disk_monitor");
        await server.Peer.BroadcastAsync("critical", alert);
        var item = page.Locator($"li[data-alert-id='{alert.AlertId}']");
        await item.Locator("button.ack").ClickAsync();
        // the peer's bus verified the frame (signed by the dashboard's bus, with the cluster key) before handing it over
        var (ack, envelope) = await acks.Task.WaitAsync(Wait);
        Assert.Equal(alert.AlertId, ack.AlertId);
        Assert.Equal("dashboard", ack.AckBy);
        Assert.Equal("dashboard@test", envelope.Node);
        Assert.Equal("critical", envelope.Topic);
        await Expect(item.Locator(".ack-state")).ToHaveTextAsync("acknowledged by dashboard");
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_forged_frame_raises_the_rejection_counter()
    {
        await using var server = await DashboardServer.StartAsync();
        var (page, _) = await chromium.OpenAsync(server.Url);
        await Expect(page.Locator("#rejected")).ToHaveTextAsync("0");
        // signed with a guessed secret under the cluster's key id
        var forger = KeyRing.Of(GaterKey.FromSecret("a-guessed-secret-0123456789-abcdefghijklmnop", server.Keys.SigningKey!.Kid));
        var fake = HealthMessages.NodeHealth("store1@test", NodeHealthStatus.Unhealthy, messageContext: new MessageContext("rogue@evil"));
        var envelope = new Envelope(GaterInstance.Health, "cluster:health", fake.Tag, "forged-1", "store1@test", 1, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await using var rogue = server.Hub.Connect();
        await rogue.PublishAsync(GaterInstance.Health, "cluster:health", FrameEncoder.Encode(forger, envelope, fake));
        await Expect(page.Locator("#rejected")).ToHaveTextAsync("1");
        await Expect(page.Locator("#rejection-reasons .reason")).ToHaveTextAsync("invalid_signature 1");
        // a frame whose signature fails is not read further: what node it claims is not shown as known
        await Expect(page.Locator("#rejections li")).ToContainTextAsync("cluster:health: signature differs (source unknown)");
        // and the forged health never became the node's state
        await Expect(page.Locator("tr[data-node='store1@test']")).ToHaveCountAsync(0);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Markup_in_a_payload_is_shown_as_text()
    {
        const string markup = "<img src=x onerror=alert(1)>";
        await using var server = await DashboardServer.StartAsync();
        var (page, errors) = await chromium.OpenAsync(server.Url);
        var dialogs = 0;
        page.Dialog += (_, d) =>
        {
            Interlocked.Increment(ref dialogs);
            _ = d.DismissAsync();
        };
        var alert = AlertMessages.SystemAlert(AlertSeverity.Warning, AlertCategory.Security, markup, markup, "<b>source</b>");
        await server.Peer.BroadcastAsync("warnings", alert);
        await server.Peer.BroadcastAsync("application_logs", LoggingMessages.LogEntry(LogEntryLevel.Error, markup, "<script>x</script>"));
        var title = page.Locator($"li[data-alert-id='{alert.AlertId}'] .title");
        await Expect(title).ToHaveTextAsync(markup);
        Assert.Equal(markup, await title.TextContentAsync());
        await Expect(page.Locator("#logs li .text")).ToHaveTextAsync("<script>x</script>: " + markup);
        Assert.Equal(0, await page.Locator("img").CountAsync());
        Assert.Equal(0, await page.Locator("main script").CountAsync());
        Assert.Equal(0, dialogs);
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Logs_filter_by_level_and_pause()
    {
        await using var server = await DashboardServer.StartAsync();
        var (page, errors) = await chromium.OpenAsync(server.Url);
        await server.Peer.BroadcastAsync("application_logs", LoggingMessages.LogEntry(LogEntryLevel.Info, "all is well", "Test"));
        await server.Peer.BroadcastAsync("error_logs", LoggingMessages.LogEntry(LogEntryLevel.Error, "disk on fire", "Test"));
        var logs = page.Locator("#logs li .text");
        await Expect(logs).ToHaveCountAsync(2);
        await page.Locator("#log-level").SelectOptionAsync("error");
        await Expect(logs).ToHaveTextAsync(["Test: disk on fire"]);

        await page.Locator("#logs-pause").CheckAsync();
        await server.Peer.BroadcastAsync("error_logs", LoggingMessages.LogEntry(LogEntryLevel.Error, "second fire", "Test"));
        // the page has drawn a snapshot counting all three messages: a live log would show the new one now
        await Expect(page.Locator("#verified")).ToHaveTextAsync("3");
        await Expect(logs).ToHaveTextAsync(["Test: disk on fire"]);
        await page.Locator("#logs-pause").UncheckAsync();
        await Expect(logs).ToHaveTextAsync(["Test: second fire", "Test: disk on fire"]);
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Acknowledge_needs_the_antiforgery_token_and_a_known_alert()
    {
        await using var server = await DashboardServer.StartAsync();
        using var http = new HttpClient();
        var alert = AlertMessages.SystemAlert(AlertSeverity.Error, AlertCategory.Data, "t", "d", "s");
        await server.Peer.BroadcastAsync("critical", alert);
        var (page, _) = await chromium.OpenAsync(server.Url);
        await Expect(page.Locator($"li[data-alert-id='{alert.AlertId}']")).ToBeVisibleAsync();
        // a cross-site form post carries no token: refused, and nothing is published
        using var noToken = await http.PostAsync(server.Url + "alerts/ack", new FormUrlEncodedContent([new("alertId", alert.AlertId)]));
        Assert.Equal(400, (int)noToken.StatusCode);
        // from the page itself, with its token, an alert the dashboard never saw is refused too
        var status = await page.EvaluateAsync<int>("""
            async () => {
              const t = await (await fetch("antiforgery")).json();
              const f = new URLSearchParams(); f.set("alertId", "no-such-alert"); f.set(t.field, t.token);
              return (await fetch("alerts/ack", { method: "POST", body: f })).status;
            }
            """);
        Assert.Equal(404, status);
        await page.CloseAsync();
    }

}

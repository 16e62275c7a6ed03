using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ExEsdbGater.Dashboard.Tests;

/// <summary>The aggregator behind the page, on a real bus: bounded, and honest about quiet nodes.</summary>
public sealed class AggregatorTests : IAsyncLifetime
{
    private readonly InProcessHub _hub = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private IGaterBus _bus = null!;
    private IGaterBus _peer = null!;
    private DashboardAggregator _aggregator = null!;

    public async Task InitializeAsync()
    {
        var keys = KeyRing.Of(GaterKey.FromSecret(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48))));
        _bus = GaterBus.Create(new GaterBusOptions { NodeName = "dashboard@test", Keys = keys, Backplane = _hub.Connect() });
        _peer = GaterBus.Create(new GaterBusOptions { NodeName = "peer@test", Keys = keys, Backplane = _hub.Connect() });
        _aggregator = new DashboardAggregator(_bus, Options.Create(new GaterDashboardOptions { MaxEntries = 5, StaleAfter = TimeSpan.FromSeconds(10) }), _time);
        await _aggregator.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _aggregator.DisposeAsync();
        await _peer.DisposeAsync();
        await _bus.DisposeAsync();
    }

    private async Task<JsonElement> SnapshotWhenAsync(Func<JsonElement, bool> ready)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var s = JsonDocument.Parse(_aggregator.Snapshot()).RootElement.Clone();
            if (ready(s))
            {
                return s;
            }
            Assert.True(DateTime.UtcNow < until, "the snapshot never got there: " + s);
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Lists_keep_the_newest_entries_only()
    {
        for (var i = 0; i < 40; i++)
        {
            await _peer.BroadcastAsync("application_logs", LoggingMessages.LogEntry(LogEntryLevel.Info, $"entry #{i}", "Test"));
        }
        var s = await SnapshotWhenAsync(s => s.GetProperty("verified").GetInt64() == 40);
        var logs = s.GetProperty("logs").EnumerateArray().Select(e => e.GetProperty("text").GetString()!).ToArray();
        Assert.Equal(["Test: entry #39", "Test: entry #38", "Test: entry #37", "Test: entry #36", "Test: entry #35"], logs);
    }

    [Fact]
    public async Task A_quiet_node_turns_stale_after_the_timeout()
    {
        await _peer.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("store1@test", NodeHealthStatus.Healthy, loadAvg: 1.5));
        var fresh = await SnapshotWhenAsync(s => s.GetProperty("nodes").EnumerateArray().Any(n => n.GetProperty("name").GetString() == "store1@test"));
        Assert.False(Node(fresh, "store1@test").GetProperty("stale").GetBoolean());
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(Node(JsonDocument.Parse(_aggregator.Snapshot()).RootElement, "store1@test").GetProperty("stale").GetBoolean());
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(Node(JsonDocument.Parse(_aggregator.Snapshot()).RootElement, "store1@test").GetProperty("stale").GetBoolean());
    }

    [Fact]
    public async Task Alerts_come_open_first_then_by_severity_then_newest()
    {
        var info = AlertMessages.SystemAlert(AlertSeverity.Info, AlertCategory.System, "info", "d", "s");
        var critical = AlertMessages.SystemAlert(AlertSeverity.Critical, AlertCategory.System, "critical", "d", "s");
        var warning1 = AlertMessages.SystemAlert(AlertSeverity.Warning, AlertCategory.System, "warning 1", "d", "s");
        var warning2 = AlertMessages.SystemAlert(AlertSeverity.Warning, AlertCategory.System, "warning 2", "d", "s");
        foreach (var a in new[] { info, critical, warning1, warning2 })
        {
            await _peer.BroadcastAsync("warnings", a);
        }
        await _peer.BroadcastAsync("warnings", AlertMessages.AlertAck(critical.AlertId, "someone"));
        var s = await SnapshotWhenAsync(s => s.GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("ackBy").ValueKind == JsonValueKind.String));
        var titles = s.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("title").GetString()!).ToArray();
        Assert.Equal(["warning 2", "warning 1", "info", "critical"], titles);
    }

    [Fact]
    public void Feed_summaries_leave_out_what_every_message_has()
    {
        var text = DashboardAggregator.Summary(AuditMessages.AdminAction("root", AdminActionType.ConfigUpdated, "pool", justification: "capacity"));
        Assert.Contains("AdminUserId = root", text, StringComparison.Ordinal);
        Assert.Contains("Justification = capacity", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Timestamp", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Tag =", text, StringComparison.Ordinal);
    }

    private static JsonElement Node(JsonElement snapshot, string name)
        => snapshot.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == name);
}

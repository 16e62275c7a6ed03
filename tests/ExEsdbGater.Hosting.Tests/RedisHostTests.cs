using ExEsdbGater.Redis.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using HealthStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>Two hosts over a real redis-server: DI handlers across processes' buses, and health following the server.</summary>
public sealed class RedisHostTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task A_DI_handler_on_one_host_receives_what_another_host_publishes()
    {
        var prefix = TestHosts.Settings("x@y", _redis.ConnectionString)["ExEsdbGater:Redis:Prefix"];
        using var a = TestHosts.Build(TestHosts.Settings("a@hosts", _redis.ConnectionString, ("ExEsdbGater:Redis:Prefix", prefix)), b => b.Services.AddExEsdbGater().AddRedisBackplane());
        using var b = TestHosts.Build(TestHosts.Settings("b@hosts", _redis.ConnectionString, ("ExEsdbGater:Redis:Prefix", prefix)), h => h.Services.AddExEsdbGater().AddRedisBackplane().Collect<NodeHealth>("cluster:*"));
        await b.StartAsync();
        await a.StartAsync();
        var bus = a.Services.GetRequiredService<IGaterBus>();
        await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("a@hosts", NodeHealthStatus.Degraded));
        var inbox = b.Services.GetRequiredService<Inbox>();
        await TestHosts.Until(() => !inbox.Items.IsEmpty, "the health on b");
        var (health, envelope) = inbox.With<NodeHealth>().Single();
        Assert.Equal(NodeHealthStatus.Degraded, health.Status);
        Assert.Equal("a@hosts", envelope.Node);
        Assert.False(envelope.Seq == 0);
        await a.StopAsync();
        await b.StopAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    public async Task BatchFrames_from_configuration_decides_whether_a_burst_shares_redis_messages(string? batchFrames)
    {
        var settings = TestHosts.Settings("batch@hosts", _redis.ConnectionString);
        if (batchFrames is not null)
        {
            settings["ExEsdbGater:Redis:BatchFrames"] = batchFrames;
        }
        using var host = TestHosts.Build(settings, b => b.Services.AddExEsdbGater().AddRedisBackplane());
        await host.StartAsync();
        await using var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var messages = 0;
        var frames = 0;
        var channel = Redis.RedisBackplane.ChannelName(settings["ExEsdbGater:Redis:Prefix"]!, GaterInstance.Health, "cluster:health");
        var queue = await mux.GetSubscriber().SubscribeAsync(StackExchange.Redis.RedisChannel.Literal(channel));
        queue.OnMessage(m =>
        {
            Interlocked.Increment(ref messages);
            // each frame starts "exg1." and nothing in these frames' bodies spells it
            var bytes = ((byte[])m.Message!).AsSpan();
            for (var at = bytes.IndexOf("exg1."u8); at >= 0; at = bytes.IndexOf("exg1."u8))
            {
                Interlocked.Increment(ref frames);
                bytes = bytes[(at + 5)..];
            }
        });
        var bus = host.Services.GetRequiredService<IGaterBus>();
        const int n = 2000;
        for (var i = 0; i < n; i++)
        {
            await bus.BroadcastAsync("cluster:health", HealthMessages.NodeHealth("batch@hosts", NodeHealthStatus.Healthy));
        }
        await TestHosts.Until(() => Volatile.Read(ref frames) == n, $"{n} frames on the channel");
        if (batchFrames is null)
        {
            Assert.True(Volatile.Read(ref messages) < n / 2, $"{messages} Redis messages for {n} frames");
        }
        else
        {
            Assert.Equal(n, Volatile.Read(ref messages));
        }
        await host.StopAsync();
    }

    [Fact]
    public async Task Readiness_turns_unhealthy_when_redis_goes_and_healthy_when_it_is_back()
    {
        using var host = TestHosts.Build(TestHosts.Settings("health@hosts", _redis.ConnectionString), b =>
        {
            b.Services.AddExEsdbGater().AddRedisBackplane();
            b.Services.AddHealthChecks().AddExEsdbGater();
        });
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        var before = await checks.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, before.Entries["exesdbgater"].Status);
        await host.StartAsync();
        var ready = await checks.CheckHealthAsync(r => r.Tags.Contains("ready"));
        Assert.Equal(HealthStatus.Healthy, ready.Status);
        Assert.Equal("Connected", ready.Entries["exesdbgater"].Data["backplane_state"]);

        _redis.Stop();
        await UntilStatus(checks, HealthStatus.Unhealthy);
        var down = await checks.CheckHealthAsync();
        Assert.Contains("backplane redis disconnected", down.Entries["exesdbgater"].Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, down.Entries["exesdbgater-live"].Status);

        await _redis.StartAsync();
        await UntilStatus(checks, HealthStatus.Healthy, seconds: 30);
        await host.StopAsync();
        var stopped = await checks.CheckHealthAsync(r => r.Tags.Contains("live"));
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
    }

    [Fact]
    public async Task Readiness_degrades_when_forged_frames_arrive()
    {
        using var host = TestHosts.Build(TestHosts.Settings("victim@hosts", _redis.ConnectionString), b =>
        {
            b.Services.AddExEsdbGater().AddRedisBackplane().Collect<NodeHealth>("cluster:health");
            b.Services.AddHealthChecks().AddExEsdbGater();
        });
        await host.StartAsync();
        var checks = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await checks.CheckHealthAsync()).Status);
        var prefix = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GaterHostOptions>>().Value.Redis.Prefix;
        // a node with another secret: its frames fail verification on arrival
        await using var rogueRedis = await Redis.RedisBackplane.ConnectAsync(new Redis.RedisBackplaneOptions { ConnectionString = _redis.ConnectionString, Prefix = prefix });
        await using var rogue = GaterBus.Create(new GaterBusOptions { NodeName = "rogue@hosts", Keys = KeyRing.Of(GaterKey.FromSecret(TestHosts.Secret + "-rogue")), Backplane = rogueRedis });
        await rogue.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("rogue@hosts", NodeHealthStatus.Healthy));
        await UntilStatus(checks, HealthStatus.Degraded);
        var report = await checks.CheckHealthAsync();
        Assert.Contains("frames rejected", report.Entries["exesdbgater"].Description, StringComparison.Ordinal);
        Assert.Empty(host.Services.GetRequiredService<Inbox>().Items);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_start_cancelled_while_connecting_leaves_no_connection_behind()
    {
        using var host = TestHosts.Build(TestHosts.Settings("cancel@hosts", _redis.ConnectionString, ("ExEsdbGater:Redis:ConnectTimeout", "00:00:30")), b => b.Services.AddExEsdbGater().AddRedisBackplane());
        // a paused server accepts TCP connections but never answers: the connect hangs until cancelled
        await Signals.SendAsync(_redis.ProcessId, "STOP");
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.StartAsync(cts.Token));
        }
        finally
        {
            await Signals.SendAsync(_redis.ProcessId, "CONT");
        }
        // the server now answers the abandoned connect; what it made must be closed, not kept
        await using var probe = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString + ",name=probe,allowAdmin=true");
        var server = probe.GetServer(probe.GetEndPoints()[0]);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string[] left;
        while ((left = [.. (await server.ClientListAsync()).Where(c => c.Name == "exesdbgater").Select(c => c.Raw ?? c.Name!)]).Length > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "connections left by the cancelled start: " + string.Join(" | ", left));
            await Task.Delay(100);
        }
        Assert.True(probe.IsConnected);
    }

    private static async Task UntilStatus(HealthCheckService checks, HealthStatus status, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while ((await checks.CheckHealthAsync(r => r.Tags.Contains("ready"))).Status != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"readiness did not become {status} within {seconds} s");
            await Task.Delay(100);
        }
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>Options come from the ExEsdbGater section; a bad one stops the host at start with one message naming its key.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task Settings_bind_from_the_section_into_the_bus()
    {
        using var host = TestHosts.Build(TestHosts.Settings("cfg@host-a", null,
            ("ExEsdbGater:InboundCapacity", "123"), ("ExEsdbGater:Verifier:MaxAge", "00:02:00"), ("ExEsdbGater:Verifier:ReplayCapacity", "77"),
            ("ExEsdbGater:Handlers:Capacity", "8"), ("ExEsdbGater:Instances:ex_esdb_health:FullMode", "DropOldest"), ("ExEsdbGater:PreviousSecrets:0", TestHosts.Secret + "-old")),
            b => b.Services.AddExEsdbGater());
        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<GaterHostOptions>>().Value;
        var bus = host.Services.GetRequiredService<IGaterBus>();
        Assert.Equal("cfg@host-a", bus.Node);
        Assert.Equal(123, options.InboundCapacity);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Verifier.MaxAge);
        Assert.Equal(77, options.Verifier.ReplayCapacity);
        Assert.Equal(8, options.Handlers.Capacity);
        Assert.Equal(QueueFullMode.DropOldest, options.Instances["ex_esdb_health"].FullMode);
        Assert.Single(options.PreviousSecrets);
        Assert.Same(bus, host.Services.GetRequiredService<IGaterBus>());
        Assert.DoesNotContain(TestHosts.Secret, options.ToString(), StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("ExEsdbGater:InboundCapacity", "0", "ExEsdbGater:InboundCapacity")]
    [InlineData("ExEsdbGater:Verifier:ReplayCapacity", "0", "ExEsdbGater:Verifier:ReplayCapacity")]
    [InlineData("ExEsdbGater:Handlers:Capacity", "-1", "ExEsdbGater:Handlers:Capacity")]
    [InlineData("ExEsdbGater:NodeName", "not a node", "ExEsdbGater:NodeName")]
    [InlineData("ExEsdbGater:Instances:nonsense:Capacity", "4", "ExEsdbGater:Instances:nonsense")]
    [InlineData("ExEsdbGater:Secret", "short-secret", "ExEsdbGater:Secret")]
    [InlineData("ExEsdbGater:Redis:ReceiveBacklogMaxBytes", "1000", "ExEsdbGater:Redis:ReceiveBacklogMaxBytes")]
    public async Task A_bad_setting_fails_the_host_at_start_naming_the_key(string key, string value, string named)
    {
        using var host = TestHosts.Build(TestHosts.Settings("cfg@host-a", null, (key, value)), b => b.Services.AddExEsdbGater());
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
        Assert.Contains("ExEsdbGater", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_secret_and_a_missing_redis_connection_are_named()
    {
        var settings = TestHosts.Settings("cfg@host-a");
        settings.Remove("ExEsdbGater:Secret");
        using var host = TestHosts.Build(settings, b => b.Services.AddExEsdbGater().AddRedisBackplane());
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("ExEsdbGater:Secret is not set, nor SECRET_KEY_BASE", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ExEsdbGater:Redis:ConnectionString must be set", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_secret_may_come_from_the_SECRET_KEY_BASE_configuration_key()
    {
        var settings = TestHosts.Settings("cfg@host-a");
        settings.Remove("ExEsdbGater:Secret");
        settings["SECRET_KEY_BASE"] = TestHosts.Secret;
        using var host = TestHosts.Build(settings, b => b.Services.AddExEsdbGater());
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<IGaterBus>();
        var receipt = await bus.BroadcastAsync("cluster:health", HealthMessages.NodeHealth(bus.Node, NodeHealthStatus.Healthy));
        Assert.Equal(1, receipt.Envelope.Seq);
        await host.StopAsync();
    }

    [Fact]
    public async Task Two_named_buses_are_keyed_services_with_their_own_sections()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["ExEsdbGater:Buses:east:NodeName"] = "svc@east",
            ["ExEsdbGater:Buses:east:Secret"] = TestHosts.Secret,
            ["ExEsdbGater:Buses:west:NodeName"] = "svc@west",
            ["ExEsdbGater:Buses:west:Secret"] = TestHosts.Secret + "-west",
        }, b =>
        {
            b.Services.AddExEsdbGater("east").Collect<NodeHealth>("cluster:health");
            b.Services.AddExEsdbGater("west");
        });
        await host.StartAsync();
        var east = host.Services.GetRequiredKeyedService<IGaterBus>("east");
        var west = host.Services.GetRequiredKeyedService<IGaterBus>("west");
        Assert.Equal("svc@east", east.Node);
        Assert.Equal("svc@west", west.Node);
        Assert.Null(host.Services.GetService<IGaterBus>());
        await west.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("svc@west", NodeHealthStatus.Healthy));
        await east.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("svc@east", NodeHealthStatus.Healthy));
        var inbox = host.Services.GetRequiredService<Inbox>();
        await TestHosts.Until(() => !inbox.Items.IsEmpty, "east's handler");
        await host.StopAsync();
        Assert.Equal(["svc@east"], inbox.Of<NodeHealth>().Select(h => h.Node));
    }

    [Fact]
    public async Task A_named_bus_with_a_bad_setting_is_named_by_its_own_section()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["ExEsdbGater:Buses:east:Secret"] = TestHosts.Secret,
            ["ExEsdbGater:Buses:east:EventQueueCapacity"] = "0",
        }, b => b.Services.AddExEsdbGater("east"));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("ExEsdbGater:Buses:east", ex.Message, StringComparison.Ordinal);
        Assert.Contains("EventQueueCapacity", ex.Message, StringComparison.Ordinal);
    }
}

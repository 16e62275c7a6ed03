using ExEsdbGater.Hosting.Bridges;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>The log bridge under a storm: bounded queue, bounded rate, and no recursion through the bus's own logs.</summary>
public sealed class LogStormTests
{
    [Fact]
    public async Task A_storm_is_bounded_by_queue_and_rate_and_its_drops_are_reported()
    {
        using var host = TestHosts.Build(TestHosts.Settings("storm@host"), b => b.Services.AddExEsdbGater()
            .AddLogBridge(o => (o.MinimumLevel, o.MaxPerSecond, o.QueueCapacity) = (LogLevel.Warning, 200, 100))
            .Collect<LogEntry>("*"));
        await host.StartAsync();
        var bridge = (LogBridge)host.Services.GetRequiredKeyedService<GaterBusRuntime>("").Bridges.Single();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Storm");
        var started = DateTime.UtcNow;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 25_000; i++)
            {
                logger.LogWarning("storm {Writer} {Index}", w, i);
                Assert.True(bridge.Queued <= 100);
            }
        })).ToArray();
        await Task.WhenAll(writers);
        await Task.Delay(500);
        var elapsed = (DateTime.UtcNow - started).TotalSeconds;
        var published = bridge.Published;
        Assert.True(bridge.Dropped > 0, "a storm this size overflows a queue of 100");
        // the token bucket: a burst of 200, then 200 a second (plus the drop reports)
        Assert.True(published <= 200 + (200 * elapsed) + 5, $"{published} published in {elapsed:F1} s");
        await host.StopAsync();
        // every storm entry was either published or dropped and counted: none vanished
        Assert.Equal(0, bridge.Queued);
        Assert.Equal(100_000, bridge.Dropped + bridge.Published + bridge.Failed - DropReports(host));
        var inbox = host.Services.GetRequiredService<Inbox>();
        Assert.Contains(inbox.Of<LogEntry>(), e => e.Module == "ExEsdbGater.Hosting.LogBridge" && e.Message.Contains("dropped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task What_the_bus_logs_while_publishing_a_log_entry_never_comes_back()
    {
        // every LogEntry makes the handler throw, which the bus logs at Error: without the guard, each entry would breed another
        using var host = TestHosts.Build(TestHosts.Settings("loop@host"), b => b.Services.AddExEsdbGater()
            .AddLogBridge()
            .AddHandler<ThrowsOnLogs>("*"));
        await host.StartAsync();
        var bridge = (LogBridge)host.Services.GetRequiredKeyedService<GaterBusRuntime>("").Bridges.Single();
        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("App").LogWarning("one entry");
        var bus = host.Services.GetRequiredService<IGaterBus>();
        await TestHosts.Until(() => bus.Statistics.HandlerErrors >= 1, "the handler failure");
        await Task.Delay(300);
        Assert.Equal(1, bridge.Published);
        Assert.Equal(1, bus.Statistics.HandlerErrors);
        await host.StopAsync();
    }

    private static long DropReports(Microsoft.Extensions.Hosting.IHost host)
        => host.Services.GetRequiredService<Inbox>().Of<LogEntry>().Count(e => e.Module == "ExEsdbGater.Hosting.LogBridge");

    private sealed class ThrowsOnLogs : IGaterHandler<LogEntry>
    {
        public ValueTask HandleAsync(LogEntry message, Envelope envelope, CancellationToken cancellationToken) => throw new InvalidOperationException("cannot store " + message.LogId);
    }
}

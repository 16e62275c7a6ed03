using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Hosting;

/// <summary>
/// Runs one bus with the host: connects and subscribes DI handlers before any other hosted service starts
/// (<see cref="StartingAsync"/>), and drains and disconnects after every other one has stopped (<see cref="StoppedAsync"/>),
/// within what is left of the host's shutdown timeout.
/// </summary>
internal sealed partial class GaterBusService(GaterBusRuntime runtime, IServiceProvider services, ILogger<GaterBusService> logger) : IHostedLifecycleService
{
    private readonly List<IGaterSubscription> _handlers = [];

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var bus = runtime.Bus;
        if (runtime.Backplane is { } backplane)
        {
            await backplane.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var h in runtime.Setup.Handlers)
        {
            var options = h.Options ?? runtime.QueueFor(h.Instance, h.Describe);
            _handlers.Add(await h.Subscribe(services, bus, options, cancellationToken).ConfigureAwait(false));
        }
        runtime.Enter(GaterBusPhase.Starting);
        foreach (var b in runtime.Bridges)
        {
            await b.StartingAsync(cancellationToken).ConfigureAwait(false);
        }
        LogStarted(logger, runtime.Setup.Name.Length == 0 ? "default" : runtime.Setup.Name, bus.Node, runtime.Setup.BackplaneName ?? "in-process", _handlers.Count, runtime.Bridges.Count);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        runtime.Enter(GaterBusPhase.Started);
        foreach (var b in runtime.Bridges)
        {
            await b.StartedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (!runtime.IsCreated)
        {
            return;
        }
        runtime.Enter(GaterBusPhase.Stopping);
        foreach (var b in runtime.Bridges)
        {
            await b.StoppingAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (!runtime.IsCreated)
        {
            return;
        }
        var bus = runtime.Bus;
        foreach (var b in runtime.Bridges)
        {
            await b.StoppedAsync(cancellationToken).ConfigureAwait(false);
        }
        var watch = Stopwatch.StartNew();
        var report = await bus.DrainAsync(cancellationToken).ConfigureAwait(false);
        if (report.Completed)
        {
            LogDrained(logger, bus.Node, watch.ElapsedMilliseconds, report.Abandoned);
        }
        else
        {
            LogDrainTimedOut(logger, bus.Node, watch.ElapsedMilliseconds, report.Abandoned);
        }
        runtime.Enter(GaterBusPhase.Stopped);
        await bus.DisposeAsync().ConfigureAwait(false);
        if (runtime.Backplane is { } backplane)
        {
            await backplane.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bus {Bus} started as {Node} over {Backplane}: {Handlers} DI handler(s), {Bridges} bridge(s)")]
    private static partial void LogStarted(ILogger logger, string bus, string node, string backplane, int handlers, int bridges);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bus {Node} drained in {Elapsed} ms ({Abandoned} unread in streams counted as dropped), disconnected")]
    private static partial void LogDrained(ILogger logger, string node, long elapsed, long abandoned);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bus {Node}: the shutdown timeout ended the drain after {Elapsed} ms; {Abandoned} deliveries counted as dropped; disconnected")]
    private static partial void LogDrainTimedOut(ILogger logger, string node, long elapsed, long abandoned);
}

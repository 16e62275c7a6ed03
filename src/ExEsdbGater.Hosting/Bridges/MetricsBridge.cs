using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExEsdbGater.Hosting.Bridges;

/// <summary>Publishes process figures and chosen meters' instruments at an interval, at most a set number of messages each time.</summary>
internal sealed partial class MetricsBridge(GaterBusRuntime runtime, GaterMetricsBridgeOptions options) : GaterBridge, IDisposable
{
    private readonly Dictionary<Instrument, InstrumentAggregate> _aggregates = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger = runtime.LoggerFactory?.CreateLogger("ExEsdbGater.Hosting.MetricsBridge") ?? NullLogger.Instance;
    private MeterListener? _listener;
    private Task? _loop;
    private TimeSpan _lastCpu;
    private long _lastTick, _lastCollections;
    private TimeSpan _lastPause;
    private long _published, _skipped;

    public long Published => Interlocked.Read(ref _published);

    public long Skipped => Interlocked.Read(ref _skipped);

    public override Task StartedAsync(CancellationToken cancellationToken)
    {
        if (options.Meters.Count > 0)
        {
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (options.Meters.Contains(instrument.Meter.Name) && (options.Instruments.Count == 0 || options.Instruments.Contains(instrument.Name)))
                    {
                        var aggregate = new InstrumentAggregate(instrument);
                        lock (_lock)
                        {
                            _aggregates[instrument] = aggregate;
                        }
                        listener.EnableMeasurementEvents(instrument, aggregate);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<long>((_, v, _, state) => ((InstrumentAggregate)state!).Record(v));
            _listener.SetMeasurementEventCallback<int>((_, v, _, state) => ((InstrumentAggregate)state!).Record(v));
            _listener.SetMeasurementEventCallback<short>((_, v, _, state) => ((InstrumentAggregate)state!).Record(v));
            _listener.SetMeasurementEventCallback<byte>((_, v, _, state) => ((InstrumentAggregate)state!).Record(v));
            _listener.SetMeasurementEventCallback<double>((_, v, _, state) => ((InstrumentAggregate)state!).Record(v));
            _listener.SetMeasurementEventCallback<float>((_, v, _, state) => ((InstrumentAggregate)state!).Record(v));
            _listener.SetMeasurementEventCallback<decimal>((_, v, _, state) => ((InstrumentAggregate)state!).Record((double)v));
            _listener.Start();
        }
        Baseline();
        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public override async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _listener?.Dispose();
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.Interval, runtime.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await PublishOnceAsync(ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Baseline()
    {
        using var p = Process.GetCurrentProcess();
        _lastCpu = p.TotalProcessorTime;
        _lastTick = runtime.Time.GetTimestamp();
        _lastCollections = Collections();
        _lastPause = GC.GetTotalPauseDuration();
    }

    internal async Task PublishOnceAsync(CancellationToken ct)
    {
        var budget = options.MaxMessagesPerInterval;
        var messages = new List<(string Topic, GaterMessage Message)>();
        var ctx = runtime.Context;
        var component = options.Component ?? "process";
        var now = runtime.Time.GetTimestamp();
        var elapsed = runtime.Time.GetElapsedTime(_lastTick, now);
        if (options.ProcessMetrics)
        {
            using var p = Process.GetCurrentProcess();
            var cpu = p.TotalProcessorTime;
            var cores = Environment.ProcessorCount;
            var fraction = elapsed > TimeSpan.Zero ? (cpu - _lastCpu).TotalSeconds / (elapsed.TotalSeconds * cores) : 0;
            var cpuPercent = Math.Round(Math.Clamp(fraction * 100, 0, 100), 2);
            // CPU in millicores: total = cores x 1000, used = what this process used over the interval
            messages.Add((MetricsMessages.ResourceUsageTopic, MetricsMessages.ResourceUsage(ResourceType.Cpu, cpuPercent, cores * 1000L, (long)Math.Round(fraction * cores * 1000), messageContext: ctx)));
            var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            var used = p.WorkingSet64;
            messages.Add((MetricsMessages.ResourceUsageTopic, MetricsMessages.ResourceUsage(ResourceType.Memory, total > 0 ? Math.Round(100.0 * used / total, 2) : 0, total, used, messageContext: ctx)));
            var collections = Collections();
            var pause = GC.GetTotalPauseDuration();
            messages.Add((MetricsMessages.PerformanceTopic, MetricsMessages.PerformanceMetric("gc_heap_size", GC.GetTotalMemory(false), "By", component: component, messageContext: ctx)));
            messages.Add((MetricsMessages.PerformanceTopic, MetricsMessages.PerformanceMetric("gc_collections", collections - _lastCollections, "{collection}", component: component, messageContext: ctx)));
            messages.Add((MetricsMessages.PerformanceTopic, MetricsMessages.PerformanceMetric("gc_pause_time", Math.Round((pause - _lastPause).TotalMilliseconds, 3), "ms", component: component, messageContext: ctx)));
            _lastCpu = cpu;
            _lastCollections = collections;
            _lastPause = pause;
        }
        _lastTick = now;
        if (_listener is not null)
        {
            _listener.RecordObservableInstruments();
            InstrumentAggregate[] aggregates;
            lock (_lock)
            {
                aggregates = [.. _aggregates.Values];
            }
            foreach (var a in aggregates)
            {
                Describe(a, elapsed, component, ctx, messages);
            }
        }
        foreach (var (topic, message) in messages)
        {
            if (budget-- <= 0)
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }
            await runtime.Bus.BroadcastAsync(topic, message, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _published);
        }
    }

    private static void Describe(InstrumentAggregate a, TimeSpan elapsed, string component, MessageContext ctx, List<(string, GaterMessage)> messages)
    {
        var i = a.Instrument;
        var (sum, last, count, samples) = a.Take();
        var unit = string.IsNullOrEmpty(i.Unit) ? "1" : i.Unit;
        var tags = JsonMap.Of(("meter", i.Meter.Name));
        var name = i.Name;
        var type = i.GetType();
        var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (count == 0)
        {
            return;
        }
        if (generic == typeof(Counter<>))
        {
            messages.Add((MetricsMessages.ThroughputTopic, MetricsMessages.ThroughputMetric(name, (long)Math.Round(sum), Math.Max(1, (long)elapsed.TotalMilliseconds), messageContext: ctx)));
        }
        else if (generic == typeof(ObservableCounter<>))
        {
            // observable counters report their running total: the interval's count is the difference
            var delta = a.HasTotal ? last - a.Total : 0;
            a.Total = last;
            a.HasTotal = true;
            messages.Add((MetricsMessages.ThroughputTopic, MetricsMessages.ThroughputMetric(name, (long)Math.Round(Math.Max(0, delta)), Math.Max(1, (long)elapsed.TotalMilliseconds), messageContext: ctx)));
        }
        else if (generic == typeof(Histogram<>) && unit is "ms" or "s")
        {
            Array.Sort(samples);
            var scale = unit == "s" ? 1000 : 1;
            foreach (var (p, q) in new[] { (LatencyPercentile.P50, 0.50), (LatencyPercentile.P95, 0.95), (LatencyPercentile.P99, 0.99) })
            {
                var v = samples[Math.Min(samples.Length - 1, (int)Math.Ceiling(q * samples.Length) - 1)] * scale;
                messages.Add((MetricsMessages.LatencyTopic, MetricsMessages.LatencyMetric(name, Math.Round(v, 3), p, count, messageContext: ctx)));
            }
        }
        else if (generic == typeof(Histogram<>))
        {
            messages.Add((MetricsMessages.PerformanceTopic, MetricsMessages.PerformanceMetric(name, sum / count, unit, component: component, tags: tags, messageContext: ctx)));
        }
        else if (generic == typeof(UpDownCounter<>))
        {
            a.Total += sum;
            messages.Add((MetricsMessages.PerformanceTopic, MetricsMessages.PerformanceMetric(name, a.Total, unit, component: component, tags: tags, messageContext: ctx)));
        }
        else
        {
            // gauges and observable up-down counters: the latest value
            messages.Add((MetricsMessages.PerformanceTopic, MetricsMessages.PerformanceMetric(name, last, unit, component: component, tags: tags, messageContext: ctx)));
        }
    }

    private static long Collections()
    {
        long n = 0;
        for (var g = 0; g <= GC.MaxGeneration; g++)
        {
            n += GC.CollectionCount(g);
        }
        return n;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The metrics bridge could not publish this interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

using System.Diagnostics;
using ExEsdbGater.OpenTelemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>AddExEsdbGaterInstrumentation collects the bus's spans and metrics through a real OpenTelemetry SDK.</summary>
public sealed class OpenTelemetryTests
{
    [Fact]
    public async Task Spans_and_metrics_of_a_publish_reach_the_exporters()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using (var tracer = Sdk.CreateTracerProviderBuilder().AddExEsdbGaterInstrumentation().AddInMemoryExporter(spans).Build())
        using (var meter = Sdk.CreateMeterProviderBuilder().AddExEsdbGaterInstrumentation().AddInMemoryExporter(metrics).Build())
        {
            await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = "otel@host", Keys = KeyRing.Of(GaterKey.FromSecret(TestHosts.Secret)) });
            await bus.BroadcastAsync("cluster:otel", HealthMessages.NodeHealth("otel@host", NodeHealthStatus.Healthy));
            tracer.ForceFlush();
            meter.ForceFlush();
        }
        var publish = spans.First(s => s.DisplayName == "exesdbgater publish" && (string?)s.GetTagItem("exesdbgater.topic") == "cluster:otel");
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Contains(metrics, m => m.Name == "exesdbgater.published" && m.MeterName == GaterTelemetry.Name);
    }
}

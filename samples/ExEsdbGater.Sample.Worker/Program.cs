// A worker service on the bus. Run two (the secret from SECRET_KEY_BASE, the same for both):
//   dotnet run -- --Sample:Role=publisher  --ExEsdbGater:NodeName=pub@localhost
//   dotnet run -- --Sample:Role=subscriber --ExEsdbGater:NodeName=sub@localhost
// The publisher sends its health, logs, metrics and lifecycle through the bridges; the subscriber prints them.
using ExEsdbGater.Hosting;
using ExEsdbGater.Sample.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using HealthCheckResult = Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult;

var builder = Host.CreateApplicationBuilder(args);
var gater = builder.Services.AddExEsdbGater().AddRedisBackplane().AddLifecycleBridge();
builder.Services.AddHealthChecks().AddExEsdbGater().AddCheck("work", () => HealthCheckResult.Healthy("batches flowing"));
builder.Services.Configure<HealthCheckPublisherOptions>(o => (o.Delay, o.Period) = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));

if (builder.Configuration["Sample:Role"] == "subscriber")
{
    gater.AddHandler<HealthPrinter>("cluster:health")
        .AddHandler<LifecyclePrinter>("*")
        .AddHandler<LogPrinter>("*")
        .AddHandler<MetricPrinter>("*");
}
else
{
    gater.AddHealthBridge(o => o.MinInterval = TimeSpan.FromSeconds(1))
        .AddLogBridge(o => o.MinimumLevel = LogLevel.Information)
        .AddMetricsBridge(o =>
        {
            o.Interval = TimeSpan.FromSeconds(1);
            o.Meters.Add(BatchWorker.MeterName);
        });
    builder.Services.AddHostedService<BatchWorker>();
}

await builder.Build().RunAsync();

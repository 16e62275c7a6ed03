using System.Diagnostics.Metrics;

namespace ExEsdbGater.Sample.Worker;

/// <summary>Stands for the service's real work: logs each batch and measures it, which the bridges publish.</summary>
internal sealed partial class BatchWorker(ILogger<BatchWorker> logger) : BackgroundService
{
    public const string MeterName = "Sample.Worker";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Batches = Meter.CreateCounter<long>("sample.batches", "{batch}");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("sample.batch.duration", "ms");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            batch++;
            var size = Random.Shared.Next(10, 500);
            Batches.Add(1);
            Duration.Record(Random.Shared.NextDouble() * 20);
            LogBatch(logger, batch, size);
            try
            {
                await Task.Delay(300, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Processed batch {Batch} of {Size} events")]
    private static partial void LogBatch(ILogger logger, int batch, int size);
}

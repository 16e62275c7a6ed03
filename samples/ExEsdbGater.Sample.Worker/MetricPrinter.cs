using ExEsdbGater.Hosting;

namespace ExEsdbGater.Sample.Worker;

/// <summary>Prints other nodes' resource usage.</summary>
internal sealed class MetricPrinter : IGaterHandler<ResourceUsage>
{
    public ValueTask HandleAsync(ResourceUsage message, Envelope envelope, CancellationToken cancellationToken)
    {
        Console.WriteLine($"RECEIVED ResourceUsage from {envelope.Node}: {message.ResourceType} {message.UsagePercent}%");
        return ValueTask.CompletedTask;
    }
}

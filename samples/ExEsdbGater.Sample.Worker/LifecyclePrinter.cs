using ExEsdbGater.Hosting;

namespace ExEsdbGater.Sample.Worker;

/// <summary>Prints nodes joining and leaving.</summary>
internal sealed class LifecyclePrinter : IGaterHandler<NodeLifecycle>
{
    public ValueTask HandleAsync(NodeLifecycle message, Envelope envelope, CancellationToken cancellationToken)
    {
        Console.WriteLine($"RECEIVED NodeLifecycle from {envelope.Node}: {message.Event} (cluster of {message.ClusterSize})");
        return ValueTask.CompletedTask;
    }
}

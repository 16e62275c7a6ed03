using ExEsdbGater.Hosting;

namespace ExEsdbGater.Sample.Worker;

/// <summary>Prints each node's health: a DI handler, resolved in a new scope per message.</summary>
internal sealed class HealthPrinter : IGaterHandler<NodeHealth>
{
    public ValueTask HandleAsync(NodeHealth message, Envelope envelope, CancellationToken cancellationToken)
    {
        Console.WriteLine($"RECEIVED NodeHealth from {envelope.Node}: {message.Node} is {message.Status}");
        return ValueTask.CompletedTask;
    }
}

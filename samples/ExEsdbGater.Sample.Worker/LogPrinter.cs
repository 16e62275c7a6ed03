using ExEsdbGater.Hosting;

namespace ExEsdbGater.Sample.Worker;

/// <summary>Prints other nodes' log entries.</summary>
internal sealed class LogPrinter : IGaterHandler<LogEntry>
{
    public ValueTask HandleAsync(LogEntry message, Envelope envelope, CancellationToken cancellationToken)
    {
        Console.WriteLine($"RECEIVED LogEntry from {envelope.Node}: [{message.Level}] {message.Module}: {message.Message}");
        return ValueTask.CompletedTask;
    }
}

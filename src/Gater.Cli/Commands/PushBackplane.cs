using ExEsdbGater;
using ExEsdbGater.Backplanes;

namespace Gater.Cli.Commands;

/// <summary>
/// A backplane driven from outside: it keeps the bus's handler, and the caller invokes it as a transport's receive
/// loop would. The receive-scaling bench uses it; the BenchmarkDotNet benchmark and the lane tests link this file.
/// </summary>
internal sealed class PushBackplane : IGaterBackplane
{
    public BackplaneFrameHandler? Handler { get; private set; }

    public string Name => "push";

    public event Action<BackplaneStateChange>? StateChanged
    {
        add { }
        remove { }
    }

    public ValueTask PublishAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, string topicPattern, BackplaneFrameHandler handler, CancellationToken cancellationToken = default)
    {
        Handler = handler;
        return ValueTask.FromResult<IAsyncDisposable>(this);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

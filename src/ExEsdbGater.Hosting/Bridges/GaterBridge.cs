namespace ExEsdbGater.Hosting.Bridges;

/// <summary>Something that publishes what the service knows into the cluster, run with its bus through the host's lifetime.</summary>
internal abstract class GaterBridge
{
    /// <summary>The bus has connected and subscribed its DI handlers; other hosted services have not started.</summary>
    public virtual Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The host has started.</summary>
    public virtual Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The host is stopping; the bus still works.</summary>
    public virtual Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every other hosted service has stopped; the bus is drained right after.</summary>
    public virtual Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

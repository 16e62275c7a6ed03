using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace ExEsdbGater.Hosting.Bridges;

/// <summary>Publishes this node's NodeLifecycle through the host's lifetime and keeps the cluster size it reports.</summary>
internal sealed partial class LifecycleBridge(GaterBusRuntime runtime, GaterLifecycleBridgeOptions options, IServiceProvider services) : GaterBridge
{
    private readonly HashSet<string> _nodes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly ILogger _logger = runtime.LoggerFactory?.CreateLogger("ExEsdbGater.Hosting.LifecycleBridge") ?? NullLogger.Instance;
    private IGaterSubscription? _peers;

    /// <summary>Other nodes seen joining and not leaving.</summary>
    public int KnownPeers
    {
        get
        {
            lock (_lock)
            {
                return _nodes.Count;
            }
        }
    }

    public override async Task StartingAsync(CancellationToken cancellationToken)
    {
        _peers = await runtime.Bus.SubscribeAsync<NodeLifecycle>(options.Topic, OnPeer, cancellationToken: cancellationToken).ConfigureAwait(false);
        await PublishAsync(NodeLifecycleEvent.Joining, cancellationToken).ConfigureAwait(false);
    }

    public override Task StartedAsync(CancellationToken cancellationToken) => PublishAsync(NodeLifecycleEvent.Joined, cancellationToken);

    public override Task StoppingAsync(CancellationToken cancellationToken) => PublishAsync(NodeLifecycleEvent.Leaving, cancellationToken);

    public override async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await PublishAsync(NodeLifecycleEvent.Left, cancellationToken).ConfigureAwait(false);
        if (_peers is not null)
        {
            await _peers.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task PublishAsync(NodeLifecycleEvent @event, CancellationToken ct)
    {
        var ctx = runtime.Context;
        // the cluster after the event: the peers this node knows, and itself unless it has left
        var size = KnownPeers + (@event == NodeLifecycleEvent.Left ? 0 : 1);
        var env = services.GetService<IHostEnvironment>();
        var metadata = JsonMap.Of(("application", HostFacts.ApplicationName(services)), ("environment", env?.EnvironmentName), ("pid", Environment.ProcessId), ("runtime", Environment.Version.ToString()));
        try
        {
            await runtime.Bus.BroadcastAsync(options.Topic, LifecycleMessages.NodeLifecycle(ctx.Node, @event, size, metadata, ctx), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GaterBackplaneException or OperationCanceledException)
        {
            // a lifecycle message that cannot go out must not stop the host from starting or stopping
            LogNotSent(_logger, ex, @event.ToString());
        }
    }

    private void OnPeer(NodeLifecycle message, Envelope envelope)
    {
        if (envelope.Node == runtime.Bus.Node)
        {
            return;
        }
        lock (_lock)
        {
            if (message.Event is NodeLifecycleEvent.Joining or NodeLifecycleEvent.Joined or NodeLifecycleEvent.Reconnected)
            {
                _nodes.Add(message.Node);
            }
            else if (message.Event is NodeLifecycleEvent.Left or NodeLifecycleEvent.Down)
            {
                _nodes.Remove(message.Node);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "NodeLifecycle {Event} could not be published")]
    private static partial void LogNotSent(ILogger logger, Exception exception, string @event);
}

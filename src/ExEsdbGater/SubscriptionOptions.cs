using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater;

/// <summary>Per-subscription settings. Defaults: capacity 1,024, <see cref="QueueFullMode.Wait"/>, no rejections.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>The bounded queue's capacity. Default 1,024.</summary>
    public int Capacity { get; init; } = 1024;

    /// <summary>What happens when the queue is full. Default <see cref="QueueFullMode.Wait"/>.</summary>
    public QueueFullMode FullMode { get; init; } = QueueFullMode.Wait;

    /// <summary>Also deliver rejected frames (with their reasons) that arrived on matching topics. Default false.</summary>
    public bool IncludeRejections { get; init; }

    /// <summary>A name for logs and events. Default: the pattern.</summary>
    public string? Name { get; init; }
}

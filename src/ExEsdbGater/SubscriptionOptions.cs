namespace ExEsdbGater;

/// <summary>Per-subscription settings. Every default is stated on its property.</summary>
public sealed record SubscriptionOptions
{
    /// <summary>The bounded queue's capacity, in deliveries.</summary>
    /// <value>Default 1,024. At least 1.</value>
    public int Capacity { get; init; } = GaterDefaults.SubscriptionCapacity;

    /// <summary>What happens when the queue is full.</summary>
    /// <value>Default <see cref="QueueFullMode.Wait"/> (backpressure).</value>
    public QueueFullMode FullMode { get; init; } = GaterDefaults.SubscriptionFullMode;

    /// <summary>Also deliver rejected frames (with their reasons) that arrived on matching topics.</summary>
    /// <value>Default false.</value>
    public bool IncludeRejections { get; init; }

    /// <summary>A name for logs and events.</summary>
    /// <value>Default null: the instance's wire name and the pattern, e.g. <c>ex_esdb_health cluster:*</c>.</value>
    public string? Name { get; init; }
}

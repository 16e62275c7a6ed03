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

    /// <summary>On a durable instance: the consumer group; each entry goes to one consumer of the group (this bus's node).</summary>
    /// <value>
    /// Default null: the service's name, the bus's node name up to <c>@</c> (<c>audit-svc@host-a</c> →
    /// <c>audit-svc</c>), so the processes of one service share the work and other services each get everything.
    /// Ignored on volatile instances and with <see cref="From"/>.
    /// </value>
    public string? Group { get; init; }

    /// <summary>On a durable instance: read history from this position without a group (review, export); nothing is acknowledged.</summary>
    /// <value>Default null: a group consumer of new entries.</value>
    public StreamPosition? From { get; init; }

    /// <summary>With <see cref="From"/>: the last entry to read (an id, or a time); then the stream completes. Without it the reader follows new entries.</summary>
    /// <value>Default null: follow.</value>
    public StreamPosition? Until { get; init; }

    /// <summary>On a durable instance: handler calls per entry before it moves to the dead-letter stream.</summary>
    /// <value>Default 5. At least 1.</value>
    public int MaxDeliveryAttempts { get; init; } = GaterDefaults.MaxDeliveryAttempts;

    /// <summary>On a durable instance: how long an entry stays pending at another consumer before this one claims it.</summary>
    /// <value>Default 30 seconds. Greater than zero.</value>
    public TimeSpan ClaimIdleTime { get; init; } = GaterDefaults.ClaimIdleTime;
}

namespace ExEsdbGater;

/// <summary>A live subscription; dispose it to unsubscribe.</summary>
public interface IGaterSubscription : IAsyncDisposable, IDisposable
{
    /// <summary>The instance subscribed to.</summary>
    GaterInstance Instance { get; }

    /// <summary>The topic or pattern subscribed to.</summary>
    string Pattern { get; }

    /// <summary>The subscription's name (the pattern unless set).</summary>
    string Name { get; }

    /// <summary>Items enqueued for this subscriber so far.</summary>
    long Enqueued { get; }

    /// <summary>Items dropped because the queue was full.</summary>
    long Dropped { get; }

    /// <summary>Items waiting in the queue now.</summary>
    int QueueDepth { get; }
}

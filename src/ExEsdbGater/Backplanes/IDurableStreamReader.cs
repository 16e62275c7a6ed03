namespace ExEsdbGater.Backplanes;

/// <summary>
/// One reader of a durable stream: a consumer of a group or a history reader. <see cref="ReadAsync"/> is called by one
/// task at a time; acknowledging and dead-lettering may run beside it.
/// </summary>
public interface IDurableStreamReader : IAsyncDisposable
{
    /// <summary>Waits without polling for entries (a notification wakes it) and returns up to <paramref name="max"/>.</summary>
    ValueTask<DurableBatch> ReadAsync(int max, CancellationToken cancellationToken = default);

    /// <summary>Acknowledges entries of a group: they will not be delivered again. Does nothing for a history reader.</summary>
    ValueTask AcknowledgeAsync(IReadOnlyList<string> entryIds, CancellationToken cancellationToken = default);

    /// <summary>Copies an entry to the instance's dead-letter stream with the reason, then acknowledges it.</summary>
    ValueTask DeadLetterAsync(DurableEntry entry, string reason, CancellationToken cancellationToken = default);
}

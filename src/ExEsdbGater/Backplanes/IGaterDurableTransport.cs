namespace ExEsdbGater.Backplanes;

/// <summary>
/// Keeps frames of durable instances in one append-only stream per instance, read by consumer groups and history
/// readers (<see cref="GaterBusOptions.DurableTransport"/>). Implement it to add a durable transport; the Redis one is
/// <c>ExEsdbGater.Redis.RedisDurableTransport</c>.
/// </summary>
/// <remarks>
/// Entries carry the frame unchanged, its topic, their position in the stream (1, 2, … counted over every append,
/// so what retention trimmed can be counted exactly) and an id whose time the store assigned at the append.
/// </remarks>
public interface IGaterDurableTransport : IAsyncDisposable
{
    /// <summary>A short name for logs, e.g. <c>redis-streams</c>.</summary>
    string Name { get; }

    /// <summary>Appends one frame; returns the entry id once the store has accepted (and, if so configured, persisted) it.</summary>
    ValueTask<string> AppendAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default);

    /// <summary>
    /// Joins (creating it at the end of the stream if new) a consumer group as <paramref name="consumer"/>. The reader
    /// first returns what this consumer left pending before (a restart), then entries idle longer than
    /// <paramref name="claimIdle"/> at other consumers, then new ones.
    /// </summary>
    ValueTask<IDurableStreamReader> OpenGroupAsync(GaterInstance instance, string group, string consumer, TimeSpan claimIdle, CancellationToken cancellationToken = default);

    /// <summary>Reads the stream from a position without a group (nothing is acknowledged).</summary>
    ValueTask<IDurableStreamReader> OpenHistoryAsync(GaterInstance instance, StreamPosition from, CancellationToken cancellationToken = default);
}

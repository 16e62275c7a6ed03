namespace ExEsdbGater;

/// <summary>A subscription to a durable instance: a consumer of a group, or a history reader. Counts since it started.</summary>
public interface IGaterDurableSubscription : IGaterStream
{
    /// <summary>The consumer group (null for a history reader).</summary>
    string? Group { get; }

    /// <summary>This consumer's name in the group: the bus's node.</summary>
    string Consumer { get; }

    /// <summary>Entries acknowledged (handled, rejected by the verifier, outside the pattern, or dead-lettered).</summary>
    long Acknowledged { get; }

    /// <summary>Entries received again: left pending by an earlier run of this consumer, or claimed from an idle one.</summary>
    long Redelivered { get; }

    /// <summary>Entries moved to the dead-letter stream after the handler failed on every try.</summary>
    long DeadLettered { get; }

    /// <summary>Entries retention trimmed before they were read (also raised as <see cref="IGaterBus.StreamGapDetected"/>).</summary>
    long Missing { get; }
}

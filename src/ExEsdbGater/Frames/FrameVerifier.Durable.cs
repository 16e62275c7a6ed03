namespace ExEsdbGater.Frames;

// Stream entries (durable instances): the same checks, with freshness judged at the entry's own time and replay
// judged per entry, so a backlog read after a restart is accepted and a redelivered entry is not a replay.
public sealed partial class FrameVerifier
{
    private DurableReplayMemory? _entryReplayMemory;

    private DurableReplayMemory _entryReplay
        => LazyInitializer.EnsureInitialized(ref _entryReplayMemory, () => new DurableReplayMemory(_options.ReplayCapacity));

    /// <summary>
    /// Verifies a frame read from a durable stream entry: every check of <see cref="Verify"/>, but <c>expired</c> and
    /// <c>from_future</c> are judged against <paramref name="referenceTime"/> (the time the store assigned the entry
    /// at its append, Unix ms) instead of the clock, and a (node, id) is <c>replayed</c> when it was accepted from a
    /// different entry — the same entry read again (a redelivery) is accepted. The shared
    /// <see cref="VerifierOptions.ReplayStore"/> is not asked (entries are not pub/sub frames).
    /// </summary>
    public VerifyResult VerifyEntry(ReadOnlySpan<byte> frame, GaterInstance instance, string topic, long referenceTime, string entryId)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(entryId);
        return Counted(Check(frame, instance, topic, referenceTime, entryId, defer: false, out _), frame, instance, topic);
    }
}

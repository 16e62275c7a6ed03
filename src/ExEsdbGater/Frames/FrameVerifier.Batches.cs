namespace ExEsdbGater.Frames;

// Frames taken on as a group (GaterBusCore.Batches.cs: a lane's queued frames, or a batch checked on several threads
// at once): each frame is checked up to the replay memory (size, format, key, signature, topic, time, body, payload)
// and stops there; the lane then takes the group's replay steps in frame order under one hold of the memory's lock
// (CompleteReplays), so that of two copies the first is accepted, exactly as one frame at a time, and counts and
// reports each after it (CountCompleted). Threads never wait on each other for it.
public sealed partial class FrameVerifier
{
    /// <summary>
    /// <see cref="Verify"/> up to the replay memory. A frame rejected before it comes back rejected (and counted), with
    /// <paramref name="deferred"/> null; otherwise <paramref name="deferred"/> is set, and <see cref="CompleteReplays"/>
    /// (or <see cref="CompleteReplay"/>) gives the result, in frame order. With a
    /// <see cref="VerifierOptions.ReplayStore"/> nothing is deferred.
    /// </summary>
    internal VerifyResult VerifyUpToReplay(ReadOnlySpan<byte> frame, GaterInstance instance, string topic, out DeferredReplay? deferred)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var result = Check(frame, instance, topic, null, null, defer: true, out deferred);
        return deferred is null ? Counted(result, frame, instance, topic) : default;
    }

    /// <summary>
    /// The replay step of one frame <see cref="VerifyUpToReplay"/> deferred, and its result, counted: for the frames of
    /// a group after one whose step failed in <see cref="CompleteReplays"/>.
    /// </summary>
    internal VerifyResult CompleteReplay(in DeferredReplay d, ReadOnlySpan<byte> frame, GaterInstance instance, string topic)
        => Counted(ReplayStep(in d), frame, instance, topic);

    /// <summary>
    /// The replay steps of several frames, in frame order, under one hold of the replay memory's lock: its lock and
    /// counters then move to this thread's core once for the group, not once a frame, while other threads verify
    /// into the same memory. A null step's frame was judged before (its result stands, already counted). The
    /// results are not yet counted and nothing is raised: call <see cref="CountCompleted"/> for each, in order, once
    /// this returns, so that observers never run under the lock.
    /// </summary>
    /// <param name="steps">The group's steps, in frame order.</param>
    /// <param name="results">Each step's result.</param>
    /// <param name="evictions">For a step that pushed a pair out early, the memory's forced evictions just after it; else 0.</param>
    /// <param name="taken">How many of the steps were taken: all of them unless one throws, which leaves it at that step.</param>
    internal void CompleteReplays(ReadOnlySpan<DeferredReplay?> steps, Span<VerifyResult> results, Span<long> evictions, ref int taken)
    {
        using (_replay.Hold())
        {
            for (; taken < steps.Length; taken++)
            {
                evictions[taken] = 0;
                if (steps[taken] is { } d)
                {
                    // read under the hold: the total this eviction made, as one frame at a time reports it
                    results[taken] = ReplayStepUnreported(in d, out evictions[taken]);
                }
            }
        }
    }

    /// <summary>Counts and reports a result of <see cref="CompleteReplays"/>, as <see cref="CompleteReplay"/> would have.</summary>
    internal VerifyResult CountCompleted(in VerifyResult result, long evictions, ReadOnlySpan<byte> frame, GaterInstance instance, string topic)
    {
        ReportEviction(evictions);
        return Counted(result, frame, instance, topic);
    }

    /// <summary>
    /// Starts fetching the replay memory's slot of a deferred frame into the cache (a hint, no lock): the lane takes a
    /// group's replay steps one after the other, and in a large memory each look-up would otherwise wait on memory in
    /// turn.
    /// </summary>
    /// <param name="d">The frame's step.</param>
    /// <param name="ahead">How many replay steps come before it: in a full memory, the pair its step will push out is fetched too (a guess: a step that is a replay, or a stale entry, pushes out none, and the guess then fetches a neighbour).</param>
    internal void PrefetchReplay(in DeferredReplay d, int ahead)
    {
        _replay.Prefetch(d.Key);
        _replay.PrefetchEviction(ahead);
    }

    /// <summary>What a frame's replay step needs (<see cref="ReplayStep"/>), worked out on the thread that checked it.</summary>
    internal readonly record struct DeferredReplay(Envelope Envelope, ulong Key, long ExpiresAt, long Now, GaterMessage? Message, VerifyResult? PayloadFault);
}

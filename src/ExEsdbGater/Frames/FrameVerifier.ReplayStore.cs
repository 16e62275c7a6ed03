using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Frames;

// The shared replay memory (VerifierOptions.ReplayStore): kept apart from the checks of the wire format.
public sealed partial class FrameVerifier
{
    private long _replayStoreFailures;

    /// <summary>Calls to <see cref="VerifierOptions.ReplayStore"/> that failed (the store threw), in either <see cref="ReplayStoreFailureMode"/>.</summary>
    public long ReplayStoreFailures => Interlocked.Read(ref _replayStoreFailures);

    // Asked last, after every other check: only frames a key holder signed, fresh and well-formed, cost a round trip.
    private VerifyResult? CheckReplayStore(Envelope envelope, long ts, long now)
    {
        if (_options.ReplayStore is not { } store)
        {
            return null;
        }
        // The longest any receiver sharing the store could still accept this frame: its clock may lag ours by the skew.
        var windowMs = ts + (long)_options.MaxAge.TotalMilliseconds + (long)_options.MaxSkew.TotalMilliseconds - now;
        bool added;
        try
        {
            added = store.TryRemember(envelope.Node, envelope.Id, TimeSpan.FromMilliseconds(Math.Max(1, windowMs)));
        }
#pragma warning disable CA1031 // a pluggable store may fail in any way; the failure mode decides, never the exception type
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var failures = Interlocked.Increment(ref _replayStoreFailures);
            if (_options.ReplayStoreFailure == ReplayStoreFailureMode.Reject)
            {
                return new(RejectReason.ReplayStoreUnavailable, "replay store: " + ex.Message, envelope);
            }
            // a store outage under load would otherwise log once per message: the first, then every 1000th
            if (failures % 1000 == 1)
            {
                LogReplayStoreDegraded(_logger, failures, ex.Message);
            }
            return null;
        }
        return added ? null : new(RejectReason.Replayed, $"id {envelope.Id} of {envelope.Node} seen (replay store)", envelope);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay store failed ({Failures} so far); frame accepted on the in-memory replay memory alone: {Error}")]
    private static partial void LogReplayStoreDegraded(ILogger logger, long failures, string error);
}

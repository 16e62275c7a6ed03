using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Frames;

/// <summary>Receiver settings: freshness window, replay memory, clock. Every default is stated on its property.</summary>
public sealed record VerifierOptions
{
    /// <summary>Frames older than this are <c>expired</c>; accepted ids are remembered this long.</summary>
    /// <value>Default 5 minutes. Must not be negative.</value>
    public TimeSpan MaxAge { get; init; } = GaterDefaults.MaxAge;

    /// <summary>Frames newer than now plus this are <c>from_future</c>.</summary>
    /// <value>Default 30 seconds. Must not be negative.</value>
    public TimeSpan MaxSkew { get; init; } = GaterDefaults.MaxSkew;

    /// <summary>
    /// The most (node, id) pairs remembered for replay detection (about 40 bytes each; entries hold no references).
    /// When full, the oldest entry is forgotten early and the eviction is reported.
    /// </summary>
    /// <value>Default 1,000,000 (about 40 MB). At least 1.</value>
    public int ReplayCapacity { get; init; } = GaterDefaults.ReplayCapacity;

    /// <summary>The most bytes of a rejected frame copied into <see cref="FrameRejection.Frame"/> for forensics.</summary>
    /// <value>Default 4,096. Not negative; 1,048,576 keeps whole frames.</value>
    public int RejectedFrameCaptureBytes { get; init; } = GaterDefaults.RejectedFrameCaptureBytes;

    /// <summary>How many rejections per second carry frame bytes; later ones in the same second carry none (still counted and reported).</summary>
    /// <value>Default 100. Not negative.</value>
    public int RejectedFrameCapturesPerSecond { get; init; } = GaterDefaults.RejectedFrameCapturesPerSecond;
    /// <summary>
    /// A replay memory that outlives this process (e.g. <c>ExEsdbGater.Redis.RedisReplayStore</c>), so that a
    /// restarted receiver still rejects frames it accepted before. Asked after every other check, for frames the
    /// in-memory replay memory has not seen; costs one round trip per accepted frame.
    /// </summary>
    /// <value>Default null: the in-memory replay memory only (a restarted receiver accepts replays of frames up to the
    /// max age plus skew old).</value>
    public IReplayStore? ReplayStore { get; init; }

    /// <summary>What happens to a frame when <see cref="ReplayStore"/> cannot answer.</summary>
    /// <value>Default <see cref="ReplayStoreFailureMode.Reject"/>: fail closed, reason <c>replay_store_unavailable</c>.</value>
    public ReplayStoreFailureMode ReplayStoreFailure { get; init; } = GaterDefaults.ReplayStoreFailure;

    /// <summary>The clock.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where rejections are logged.</summary>
    /// <value>Default null: nowhere (a bus passes its own logger factory).</value>
    public ILoggerFactory? LoggerFactory { get; init; }
}

namespace ExEsdbGater;

/// <summary>
/// Every default of the library's options, in one place. The options' <c>&lt;value&gt;</c> docs state the same
/// figures, and a test pins each one, so docs and code cannot drift apart.
/// </summary>
internal static class GaterDefaults
{
    /// <summary>Queue capacity of one subscription, in deliveries.</summary>
    public const int SubscriptionCapacity = 1024;

    /// <summary>What a full subscription queue does.</summary>
    public const QueueFullMode SubscriptionFullMode = QueueFullMode.Wait;

    /// <summary>Frames received from the backplane waiting for a full Wait-mode subscriber.</summary>
    public const int InboundCapacity = 65_536;

    /// <summary>Bytes of frames (as received) waiting in the inbound queue.</summary>
    public const long InboundMaxBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Receive lanes: 1, every frame verified inline in arrival order, as before lanes existed. More is opt-in: it
    /// gives up order between topics (kept per publisher and topic) for verifying on several cores.
    /// </summary>
    public const int ReceiveWorkers = 1;

    /// <summary>The most receive lanes a bus accepts.</summary>
    public const int MaxReceiveWorkers = 256;

    /// <summary>Topics whose publishing sequence a bus remembers; idle ones beyond it are forgotten (they restart at seq 1).</summary>
    public const int PublisherTopicCapacity = 10_000;

    /// <summary>Bus events (rejections, gaps, drops, handler failures, backplane changes) waiting for their observers.</summary>
    public const int EventQueueCapacity = 10_000;

    /// <summary>Publishers' (node, instance, topic) positions remembered for gap detection.</summary>
    public const int SequenceTrackerCapacity = 100_000;

    /// <summary>How old a frame may be before it is <c>expired</c>.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>How far in the future a frame may be dated before it is <c>from_future</c>.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromSeconds(30);

    /// <summary>Bytes of a rejected frame kept for forensics.</summary>
    public const int RejectedFrameCaptureBytes = 4096;

    /// <summary>Rejections per second that keep frame bytes.</summary>
    public const int RejectedFrameCapturesPerSecond = 100;

    /// <summary>(node, id) pairs remembered for replay detection (about 40 bytes each).</summary>
    public const int ReplayCapacity = 1_000_000;

    /// <summary>What the verifier does when its shared replay store cannot answer: fail closed.</summary>
    public const Frames.ReplayStoreFailureMode ReplayStoreFailure = Frames.ReplayStoreFailureMode.Reject;

    /// <summary>Instances that are durable by default when a durable transport is configured.</summary>
    public static readonly IReadOnlySet<GaterInstance> DurableInstances = new HashSet<GaterInstance> { GaterInstance.Audit, GaterInstance.Security, GaterInstance.Alerts };

    /// <summary>Handler calls per durable entry before it is dead-lettered.</summary>
    public const int MaxDeliveryAttempts = 5;

    /// <summary>How long a durable entry stays pending at another consumer before it is claimed.</summary>
    public static readonly TimeSpan ClaimIdleTime = TimeSpan.FromSeconds(30);

    /// <summary>Entries one durable read takes at most.</summary>
    public const int DurableReadBatch = 256;
}

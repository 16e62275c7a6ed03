using Microsoft.Extensions.Logging;

namespace ExEsdbGater;

/// <summary>Bus settings. Every default is stated on its property; <see cref="GaterBus.Create"/> checks them all.</summary>
public sealed record GaterBusOptions
{
    /// <summary>This node's name (<c>name@host</c>).</summary>
    /// <value>Default null: <c>EXG_NODE_NAME</c>, else <c>&lt;process&gt;@&lt;host&gt;</c> (see <see cref="ExEsdbGater.NodeName.Resolve"/>).</value>
    public string? NodeName { get; init; }

    /// <summary>The key ring that signs and verifies.</summary>
    /// <value>
    /// Default null: built from the environment by <see cref="KeyRing.Create"/> (<c>SECRET_KEY_BASE</c>), and
    /// <see cref="GaterBus.Create"/> fails if it finds no secret. Give <see cref="KeyRing.Empty"/> for a bus that
    /// signs and accepts nothing (local delivery only), <see cref="KeyRing.UnsignedDevelopment"/> for development.
    /// </value>
    public KeyRing? Keys { get; init; }

    /// <summary>The transport to other processes.</summary>
    /// <value>Default null: the bus lives inside this process.</value>
    public IGaterBackplane? Backplane { get; init; }

    /// <summary>
    /// Links to clusters that speak another protocol, e.g. <c>ExEsdbGater.Beam.BeamLink</c> for the original's
    /// Elixir nodes: their messages reach this bus's subscribers, and this bus's broadcasts reach them. The caller
    /// owns them (the bus does not dispose them).
    /// </summary>
    /// <value>Default empty.</value>
    public IReadOnlyList<IGaterLink> Links { get; init; } = [];

    /// <summary>
    /// Where durable instances' messages are kept (see <see cref="DeliveryModes"/> and docs/durability.md), e.g.
    /// <c>await ExEsdbGater.Redis.RedisDurableTransport.ConnectAsync(...)</c>.
    /// </summary>
    /// <value>Default null: every instance is <see cref="DeliveryMode.Volatile"/>.</value>
    public IGaterDurableTransport? DurableTransport { get; init; }

    /// <summary>Delivery modes chosen per instance; instances left out take their default (<see cref="DeliveryModeOf"/>).</summary>
    /// <value>
    /// Default null: with a <see cref="DurableTransport"/>, <c>ex_esdb_audit</c>, <c>ex_esdb_security</c> and
    /// <c>ex_esdb_alerts</c> are durable and the rest volatile; without one, all are volatile. Choosing
    /// <see cref="DeliveryMode.Durable"/> without a transport is a configuration error.
    /// </value>
    public IReadOnlyDictionary<GaterInstance, DeliveryMode>? DeliveryModes { get; init; }

    /// <summary>The delivery mode this bus uses for an instance.</summary>
    public DeliveryMode DeliveryModeOf(GaterInstance instance)
        => DeliveryModes is not null && DeliveryModes.TryGetValue(instance, out var mode) ? mode
            : DurableTransport is not null && GaterDefaults.DurableInstances.Contains(instance) ? DeliveryMode.Durable : DeliveryMode.Volatile;

    /// <summary>Receiver checks (max age, skew, replay memory, clock).</summary>
    /// <value>Default <c>new VerifierOptions()</c>: 5 minutes, 30 seconds, 1,000,000 ids, the system clock.</value>
    public VerifierOptions Verifier { get; init; } = new();

    /// <summary>
    /// Verified deliveries received from the backplane that wait behind a full Wait-mode subscriber; beyond it (or
    /// beyond <see cref="InboundMaxBytes"/>) they are dropped, counted in <see cref="BusStatistics.InboundDropped"/>,
    /// logged, and reported through <see cref="IGaterBus.SlowConsumerDetected"/> as the <c>(inbound queue)</c>.
    /// Frames are verified before they take any place here, so forged frames never fill it.
    /// </summary>
    /// <value>Default 65,536. At least 1.</value>
    public int InboundCapacity { get; init; } = GaterDefaults.InboundCapacity;

    /// <summary>
    /// The most frame bytes (as received) waiting in the inbound queue; the decoded messages they stand for take
    /// about two to three times that in memory.
    /// </summary>
    /// <value>Default 64 MiB. At least 1 MiB (one frame of the largest size).</value>
    public long InboundMaxBytes { get; init; } = GaterDefaults.InboundMaxBytes;

    /// <summary>
    /// Threads that verify and fan out frames received from the backplane and links. A channel (instance, topic)
    /// always maps to the same lane (dealt in turn as channels first arrive, then by a hash), so each publisher's
    /// order on a topic is kept; frames of different channels are verified in parallel, in no order between them. With 1, every frame is
    /// verified inline on the backplane's thread (no hop); with more, that thread only routes each frame to its lane.
    /// Frames routed to a lane and not yet verified are bounded apart, by the lane's share of
    /// <see cref="InboundCapacity"/> and <see cref="InboundMaxBytes"/> (at least one frame of the largest size); when
    /// that is full, the backplane's thread waits for the lane, as it would while verifying inline. Each worker adds
    /// part of a core's verify rate while the frames spread over many more busy topics than workers, up to the cores
    /// the process gets (measured only on 2-core machines: 2 workers 1.43–1.65× one in steady state; see
    /// docs/architecture.md); one hot topic stays on one core, except that a backplane's batch of its frames (a Redis
    /// frame batch of 16 frames or more; not with a <see cref="VerifierOptions.ReplayStore"/>, nor once stopping) is
    /// verified by its lane's thread and up to this many − 1 pool threads at once, then delivered in order, with
    /// replays judged in frame order. Keep 1 where the cores are busy with other work (the hop
    /// then costs CPU and gains nothing); set it to the core count on a large node receiving from many topics, after measuring with <c>gater bench</c>. The default stays 1 because more changes what subscribers see:
    /// a pattern subscriber then gets different topics' messages in no fixed order, where with 1 it gets them in the
    /// order they arrived.
    /// </summary>
    /// <value>Default 1. At least 1, at most 256.</value>
    public int ReceiveWorkers { get; init; } = GaterDefaults.ReceiveWorkers;

    /// <summary>
    /// Bus events waiting for their observers (see <see cref="IGaterBus.FrameRejected"/>); when observers fall this
    /// far behind, the oldest events are dropped and counted in <see cref="BusStatistics.EventsDropped"/>.
    /// </summary>
    /// <value>Default 10,000. At least 1.</value>
    public int EventQueueCapacity { get; init; } = GaterDefaults.EventQueueCapacity;

    /// <summary>Where the bus logs.</summary>
    /// <value>Default null: nowhere.</value>
    public ILoggerFactory? LoggerFactory { get; init; }
}

using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ExEsdbGater.Hosting;

/// <summary>
/// A hosted bus's settings, bound from the <c>ExEsdbGater</c> configuration section (a named bus: <c>ExEsdbGater:Buses:&lt;name&gt;</c>)
/// and checked when the host starts: a bad setting stops the host with a message naming its key. The secret is never
/// logged or shown (<see cref="ToString"/> says only whether it is set).
/// </summary>
public sealed class GaterHostOptions
{
    private static readonly GaterBusOptions Core = new();

    /// <summary>This node's name (<c>name@host</c>).</summary>
    /// <value>Default null: <c>EXG_NODE_NAME</c>, else <c>&lt;process&gt;@&lt;host&gt;</c>.</value>
    public string? NodeName { get; set; }

    /// <summary>The secret that signs and verifies (32+ bytes, the same on every node).</summary>
    /// <value>Default null: the configuration key <c>SECRET_KEY_BASE</c>, else the environment variable of that name.</value>
    public string? Secret { get; set; }

    /// <summary>Older secrets still accepted for verification during a rotation.</summary>
    /// <value>Default empty: <c>SECRET_KEY_BASE_PREVIOUS</c> (comma-separated) from the environment.</value>
    public IList<string> PreviousSecrets { get; } = [];

    /// <summary>Development only: without any secret, send and accept unsigned frames.</summary>
    /// <value>Default false: a bus without a secret stops the host at start.</value>
    public bool AllowUnsigned { get; set; }

    /// <summary>The Redis backplane (used when <see cref="GaterBuilderExtensions.AddRedisBackplane"/> is called).</summary>
    [ValidateObjectMembers]
    public GaterRedisSettings Redis { get; set; } = new();

    /// <summary>Receiver checks: freshness window and replay memory.</summary>
    [ValidateObjectMembers]
    public GaterVerifierSettings Verifier { get; set; } = new();

    /// <summary>See <see cref="GaterBusOptions.InboundCapacity"/>.</summary>
    /// <value>Default 65,536. At least 1.</value>
    [Range(1, int.MaxValue)]
    public int InboundCapacity { get; set; } = Core.InboundCapacity;

    /// <summary>See <see cref="GaterBusOptions.InboundMaxBytes"/>.</summary>
    /// <value>Default 64 MiB. At least 1 MiB.</value>
    [Range(typeof(long), "1048576", "9223372036854775807")]
    public long InboundMaxBytes { get; set; } = Core.InboundMaxBytes;

    /// <summary>See <see cref="GaterBusOptions.ReceiveWorkers"/>.</summary>
    /// <value>Default 1. From 1 to 256.</value>
    [Range(1, 256)]
    public int ReceiveWorkers { get; set; } = Core.ReceiveWorkers;

    /// <summary>See <see cref="GaterBusOptions.EventQueueCapacity"/>.</summary>
    /// <value>Default 10,000. At least 1.</value>
    [Range(1, int.MaxValue)]
    public int EventQueueCapacity { get; set; } = Core.EventQueueCapacity;

    /// <summary>The queue of each DI handler (<see cref="GaterBuilderExtensions.AddHandler{THandler}"/>) unless its instance or its registration says otherwise.</summary>
    [ValidateObjectMembers]
    public GaterQueueSettings Handlers { get; set; } = new();

    /// <summary>Per-instance handler queues, keyed by instance (<c>Health</c> or <c>ex_esdb_health</c>); they override <see cref="Handlers"/>.</summary>
    /// <value>Default empty.</value>
    public IDictionary<string, GaterQueueSettings> Instances { get; } = new Dictionary<string, GaterQueueSettings>(StringComparer.OrdinalIgnoreCase);

    /// <summary>A summary without the secret.</summary>
    public override string ToString() => $"node {NodeName ?? "(default)"}, secret {(Secret is null ? "not set" : "set")}, {PreviousSecrets.Count} previous";
}

using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Redis;

/// <summary>Settings of the Redis backplane. Every default is stated on its property; <see cref="RedisBackplane.ConnectAsync"/> checks them.</summary>
public sealed record RedisBackplaneOptions
{
    /// <summary>A StackExchange.Redis connection string, passed through (endpoints, password, user, ssl, …).</summary>
    /// <remarks>
    /// <para>One server: <c>127.0.0.1:6379</c>.</para>
    /// <para>A Redis Cluster: any or all nodes, <c>10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000</c>. Classic pub/sub
    /// reaches every node; each connection publishes through one node (frames stay in order) until it is gone.</para>
    /// <para>Sentinel: the sentinels and the service name, <c>10.0.0.1:26379,10.0.0.2:26379,serviceName=mymaster</c>;
    /// the backplane follows the primary through failovers.</para>
    /// <para>After a failover subscriptions come back by themselves and
    /// <see cref="Backplanes.IGaterBackplane.StateChanged"/> reports <c>Reconnected</c> once every one is up.</para>
    /// </remarks>
    /// <value>Required; not empty.</value>
    public required string ConnectionString { get; init; }

    /// <summary>Channel prefix, so several clusters can share one server.</summary>
    /// <value>Default <c>exg:</c>. Not null; may be empty.</value>
    public string Prefix { get; init; } = RedisDefaults.Prefix;

    /// <summary>How long the first connection may take; afterwards the backplane retries in the background forever.</summary>
    /// <value>Default 5 seconds. Greater than zero.</value>
    public TimeSpan ConnectTimeout { get; init; } = RedisDefaults.ConnectTimeout;

    /// <summary>
    /// Whether frames of one channel published in a burst travel as one Redis message (a frame batch), which a
    /// receiver splits before verifying each frame. A frame alone goes out as itself either way.
    /// </summary>
    /// <remarks>
    /// Receivers of this version read batches whatever this says. Set it false while nodes of a version before
    /// batching, or another exg1 implementation, still listen: they would reject a batch as <c>invalid_format</c>.
    /// </remarks>
    /// <value>Default true.</value>
    public bool BatchFrames { get; init; } = RedisDefaults.BatchFrames;

    /// <summary>
    /// How many bytes of received messages may wait in the Redis client's queue of one subscription (the bus has one
    /// per instance it listens on), ahead of verification, before messages are dropped unverified as they are taken.
    /// StackExchange.Redis reads the socket as fast as the server sends and queues without bound, so a flood faster
    /// than verification would otherwise grow memory without end.
    /// </summary>
    /// <remarks>
    /// The client tells how many messages wait, not their size: the backlog is estimated as that count times the
    /// size of the message in hand plus 256 bytes (what the client keeps per message), which for a flood of similar
    /// frames is close. A large message taken with many small ones behind it can be dropped although they are small.
    /// Drops are counted in the metric <c>exesdbgater.dropped</c> with <c>queue=redis_receive</c>, logged (a warning at
    /// most once a second, with the count), and show up at receivers as gaps of the publishers they hit.
    /// </remarks>
    /// <value>Default 64 MiB. At least 1 MiB (one largest frame).</value>
    public long ReceiveBacklogMaxBytes { get; init; } = RedisDefaults.ReceiveBacklogMaxBytes;

    /// <summary>Where the backplane logs.</summary>
    /// <value>Default null: nowhere.</value>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Throws <see cref="GaterConfigurationException"/> naming the first bad setting.</summary>
    internal void Check()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new GaterConfigurationException("RedisBackplaneOptions.ConnectionString must not be empty.");
        }
        if (Prefix is null)
        {
            throw new GaterConfigurationException("RedisBackplaneOptions.Prefix must not be null.");
        }
        if (ConnectTimeout <= TimeSpan.Zero || ConnectTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new GaterConfigurationException($"RedisBackplaneOptions.ConnectTimeout must be positive and under 24 days (was {ConnectTimeout}).");
        }
        if (ReceiveBacklogMaxBytes < 1024 * 1024)
        {
            throw new GaterConfigurationException($"RedisBackplaneOptions.ReceiveBacklogMaxBytes must be at least 1 MiB, one largest frame (was {ReceiveBacklogMaxBytes}).");
        }
    }
}

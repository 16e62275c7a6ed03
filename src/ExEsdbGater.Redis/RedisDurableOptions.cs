using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Redis;

/// <summary>Settings of <see cref="RedisDurableTransport"/>. Every default is stated on its property; <see cref="RedisDurableTransport.ConnectAsync"/> checks them.</summary>
public sealed record RedisDurableOptions
{
    /// <summary>A StackExchange.Redis connection string, as for <see cref="RedisBackplaneOptions.ConnectionString"/>.</summary>
    /// <remarks>Durability is Redis's: run it with <c>appendonly yes</c> and <c>appendfsync always</c> so that an entry a broadcast
    /// returned for survives a Redis restart (see docs/durability.md).</remarks>
    /// <value>Required; not empty.</value>
    public required string ConnectionString { get; init; }

    /// <summary>Key prefix, so several clusters can share one server. Streams are <c>&lt;prefix&gt;stream:{&lt;instance&gt;}</c>.</summary>
    /// <value>Default <c>exg:</c>. Not null; may be empty.</value>
    public string Prefix { get; init; } = RedisDefaults.Prefix;

    /// <summary>Retention by length: each append trims the stream to about this many entries (<c>XADD MAXLEN ~</c>).</summary>
    /// <value>Default 1,000,000. Null: no length limit. At least 1.</value>
    public long? MaxLength { get; init; } = RedisDefaults.StreamMaxLength;

    /// <summary>Retention by age: each append trims entries older than this by Redis's clock (<c>XTRIM MINID ~</c>).</summary>
    /// <value>Default null: no age limit. Greater than zero.</value>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>
    /// How long an idle reader waits for the notification an append publishes before it looks anyway (a notification
    /// can be lost while a connection comes back); also how often a consumer looks for entries to claim.
    /// </summary>
    /// <value>Default 1 second. Greater than zero.</value>
    public TimeSpan ReadFallbackInterval { get; init; } = RedisDefaults.ReadFallbackInterval;

    /// <summary>How long the first connection may take; afterwards the transport reconnects in the background forever.</summary>
    /// <value>Default 5 seconds. Greater than zero.</value>
    public TimeSpan ConnectTimeout { get; init; } = RedisDefaults.ConnectTimeout;

    /// <summary>Where the transport logs.</summary>
    /// <value>Default null: nowhere.</value>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Throws <see cref="GaterConfigurationException"/> naming the first bad setting.</summary>
    internal void Check()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new GaterConfigurationException("RedisDurableOptions.ConnectionString must not be empty.");
        }
        if (Prefix is null)
        {
            throw new GaterConfigurationException("RedisDurableOptions.Prefix must not be null.");
        }
        if (MaxLength is < 1)
        {
            throw new GaterConfigurationException($"RedisDurableOptions.MaxLength must be at least 1 or null (was {MaxLength}).");
        }
        if (MaxAge is { } age && (age <= TimeSpan.Zero || age.TotalMilliseconds > long.MaxValue / 2))
        {
            throw new GaterConfigurationException($"RedisDurableOptions.MaxAge must be positive or null (was {age}).");
        }
        Positive(ReadFallbackInterval, "RedisDurableOptions.ReadFallbackInterval");
        Positive(ConnectTimeout, "RedisDurableOptions.ConnectTimeout");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            throw new GaterConfigurationException($"{name} must be positive and under 24 days (was {value}).");
        }
    }
}

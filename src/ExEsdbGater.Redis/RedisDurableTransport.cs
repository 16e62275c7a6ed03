using ExEsdbGater.Backplanes;

namespace ExEsdbGater.Redis;

/// <summary>
/// Durable instances on Redis Streams (<see cref="GaterBusOptions.DurableTransport"/>): one stream per prefix and
/// instance, <c>&lt;prefix&gt;stream:{&lt;instance&gt;}</c>, whose entries hold <c>n</c> (position), <c>t</c> (topic)
/// and <c>f</c> (the exg1 frame, unchanged); consumer groups with XREADGROUP, XACK and XAUTOCLAIM; a dead-letter
/// stream <c>…:dead</c>; appends publish a notification that wakes readers. See docs/durability.md.
/// </summary>
public static class RedisDurableTransport
{
    /// <summary>Connects to Redis with a connection of its own.</summary>
    /// <exception cref="GaterConfigurationException">An option is invalid; the message names it.</exception>
    /// <exception cref="GaterBackplaneException">Redis cannot be reached, or the connection string is malformed.</exception>
    public static async Task<IGaterDurableTransport> ConnectAsync(RedisDurableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        var config = RedisConnector.Parse(options.ConnectionString, options.ConnectTimeout);
        var mux = await RedisConnector.ConnectAsync(config).ConfigureAwait(false);
        // readers subscribe to wake-ups as they open
        await RedisConnector.WaitForSubscriptionsAsync(mux, config, options.ConnectTimeout).ConfigureAwait(false);
        return new RedisDurableConnection(mux, options);
    }

    /// <summary>The stream of an instance. The braces keep its keys in one cluster slot.</summary>
    public static string StreamKey(string prefix, GaterInstance instance) => prefix + "stream:{" + instance.WireName() + "}";

    /// <summary>The dead-letter stream of an instance: entries whose handler failed on every try, with <c>from</c> and <c>reason</c>.</summary>
    public static string DeadLetterKey(string prefix, GaterInstance instance) => StreamKey(prefix, instance) + ":dead";
}

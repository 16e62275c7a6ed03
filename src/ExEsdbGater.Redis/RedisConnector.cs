using ExEsdbGater.Backplanes;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

/// <summary>The first connection, shared by the backplane and the replay store: one error shape, fail-fast commands.</summary>
internal static class RedisConnector
{
    public static ConfigurationOptions Parse(string connectionString, TimeSpan connectTimeout)
    {
        ConfigurationOptions config;
        try
        {
            config = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new GaterBackplaneException($"The Redis connection string is malformed: {ex.Message}", ex);
        }
        config.AbortOnConnectFail = true;
        // While disconnected, commands fail at once (counted, logged) instead of queueing stale work.
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ConnectTimeout = (int)connectTimeout.TotalMilliseconds;
        config.ClientName ??= "exesdbgater";
        return config;
    }

    public static async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions config)
    {
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
        }
        catch (RedisConnectionException ex)
        {
            throw new GaterBackplaneException($"Redis is unreachable at {Where(config)}: {Reason(ex)}", ex);
        }
    }

    /// <summary>
    /// Waits for the subscription connection, which comes up a moment after the interactive one: with fail-fast
    /// commands, a SUBSCRIBE sent before it is there fails. On failure the multiplexer is disposed.
    /// </summary>
    /// <exception cref="GaterBackplaneException">No subscription connection within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first; the multiplexer is disposed.</exception>
    public static async Task WaitForSubscriptionsAsync(ConnectionMultiplexer mux, ConfigurationOptions config, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await mux.GetSubscriber().PingAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (IsNotReadyYet(ex) && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsNotReadyYet(ex))
            {
                await mux.DisposeAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                throw new GaterBackplaneException($"Redis at {Where(config)} accepted no subscription connection: {Reason(ex)}", ex);
            }
        }
    }

    private static bool IsNotReadyYet(Exception ex) => ex is RedisException or TimeoutException or OperationCanceledException;

    /// <summary>
    /// The client's first line without its advice to set <c>abortConnect=false</c>: this library sets that option
    /// itself (it fails fast on the first connection, then retries in the background), so the advice misleads.
    /// </summary>
    public static string Reason(Exception ex)
    {
        var sentences = ex.Message.Split('\n')[0].Split(". ").Where(s => !s.Contains("abortConnect", StringComparison.OrdinalIgnoreCase)
            && !s.Contains("AbortOnConnectFail", StringComparison.OrdinalIgnoreCase));
        return string.Join(". ", sentences).TrimEnd('.', ' ');
    }

    public static string Where(ConfigurationOptions config)
        => string.Join(",", config.EndPoints) + (config.ServiceName is { } service ? $" (sentinel service {service})" : "");
}

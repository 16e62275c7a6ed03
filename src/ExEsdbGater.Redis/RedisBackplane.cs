using System.Text;
using ExEsdbGater.Backplanes;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

/// <summary>Connects the bus to Redis pub/sub: channel <c>&lt;prefix&gt;&lt;instance&gt;:&lt;topic&gt;</c>, patterns as PSUBSCRIBE.</summary>
public static class RedisBackplane
{
    /// <summary>Connects to Redis; subscriptions come back by themselves after a restart or a cut connection.</summary>
    /// <exception cref="GaterConfigurationException">An option is invalid; the message names it.</exception>
    /// <exception cref="GaterBackplaneException">Redis cannot be reached, or the connection string is malformed.</exception>
    public static async Task<IGaterBackplane> ConnectAsync(RedisBackplaneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        var config = RedisConnector.Parse(options.ConnectionString, options.ConnectTimeout);
        var mux = await RedisConnector.ConnectAsync(config).ConfigureAwait(false);
        // The subscription connection comes up a moment after the interactive one; with fail-fast publishing,
        // wait for it so that the first subscribe does not fail.
        var deadline = DateTime.UtcNow + options.ConnectTimeout;
        while (true)
        {
            try
            {
                await mux.GetSubscriber().PingAsync().ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (IsNotReadyYet(ex) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsNotReadyYet(ex))
            {
                await mux.DisposeAsync().ConfigureAwait(false);
                throw new GaterBackplaneException($"Redis at {RedisConnector.Where(config)} accepted no subscription connection: {RedisConnector.Reason(ex)}", ex);
            }
        }
        // after the first connection, keep retrying in the background
        return new RedisBackplaneConnection(mux, options);
    }

    // What a command on a connection that is still coming up fails with.
    private static bool IsNotReadyYet(Exception ex) => ex is RedisException or TimeoutException or OperationCanceledException;

    /// <summary>The Redis channel of an instance and topic.</summary>
    public static string ChannelName(string prefix, GaterInstance instance, string topic) => prefix + instance.WireName() + ":" + topic;

    /// <summary>The PSUBSCRIBE pattern of a topic pattern: Redis's own glob characters escaped, <c>*</c> kept.</summary>
    public static string ChannelPattern(string prefix, GaterInstance instance, string topicPattern)
        => EscapeGlob(prefix + instance.WireName() + ":") + EscapeGlob(topicPattern, keepStar: true);

    internal static string EscapeGlob(string s, bool keepStar = false)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            if (c is '?' or '[' or ']' or '\\' || (c == '*' && !keepStar))
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}

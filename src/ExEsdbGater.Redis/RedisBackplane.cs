using System.Text;
using ExEsdbGater.Backplanes;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

/// <summary>Connects the bus to Redis pub/sub: channel <c>&lt;prefix&gt;&lt;instance&gt;:&lt;topic&gt;</c>, patterns as PSUBSCRIBE.</summary>
public static class RedisBackplane
{
    /// <summary>Connects to Redis; subscriptions come back by themselves after a restart or a cut connection.</summary>
    /// <exception cref="GaterConfigurationException">An option is invalid; the message names it.</exception>
    /// <exception cref="GaterBackplaneException">Redis cannot be reached, or the connection string is malformed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first; nothing is left open.</exception>
    public static async Task<IGaterBackplane> ConnectAsync(RedisBackplaneOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        cancellationToken.ThrowIfCancellationRequested();
        var config = RedisConnector.Parse(options.ConnectionString, options.ConnectTimeout);
        var connecting = RedisConnector.ConnectAsync(config);
        ConnectionMultiplexer mux;
        try
        {
            mux = await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the client cannot be told to stop connecting: close what it makes when it is done
            _ = connecting.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
        await RedisConnector.WaitForSubscriptionsAsync(mux, config, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested)
        {
            await mux.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        // after the first connection, keep retrying in the background
        return new RedisBackplaneConnection(mux, options.Prefix, options.LoggerFactory, ownsMux: true, options.BatchFrames, options.ReceiveBacklogMaxBytes);
    }

    /// <summary>
    /// A backplane over a multiplexer the application already has (one connection for all its Redis work). The
    /// multiplexer stays the caller's: disposing the backplane unsubscribes what it subscribed and leaves the
    /// connection open. Its settings are the caller's too; for the backplane's behaviour while disconnected
    /// (publishes fail at once and are counted, receivers see gaps) configure it with
    /// <c>BacklogPolicy = BacklogPolicy.FailFast</c>, as <see cref="ConnectAsync"/> does.
    /// </summary>
    /// <param name="multiplexer">A connected multiplexer.</param>
    /// <param name="prefix">Channel prefix. Default <c>exg:</c>.</param>
    /// <param name="loggerFactory">Where the backplane logs. Default: nowhere.</param>
    /// <param name="batchFrames">Frames of one channel published in a burst go out as one Redis message; see
    /// <see cref="RedisBackplaneOptions.BatchFrames"/>. Default true.</param>
    /// <param name="receiveBacklogMaxBytes">Received bytes that may wait in the client ahead of verification, per
    /// subscription; see <see cref="RedisBackplaneOptions.ReceiveBacklogMaxBytes"/>. Default 64 MiB, at least 1 MiB.</param>
    /// <exception cref="GaterConfigurationException"><paramref name="receiveBacklogMaxBytes"/> is under 1 MiB.</exception>
    public static IGaterBackplane Create(IConnectionMultiplexer multiplexer, string prefix = RedisDefaults.Prefix, ILoggerFactory? loggerFactory = null, bool batchFrames = RedisDefaults.BatchFrames, long receiveBacklogMaxBytes = RedisDefaults.ReceiveBacklogMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentNullException.ThrowIfNull(prefix);
        new RedisBackplaneOptions { ConnectionString = "-", ReceiveBacklogMaxBytes = receiveBacklogMaxBytes }.Check();
        return new RedisBackplaneConnection(multiplexer, prefix, loggerFactory, ownsMux: false, batchFrames, receiveBacklogMaxBytes);
    }

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

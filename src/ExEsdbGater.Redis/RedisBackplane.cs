using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

/// <summary>Settings of the Redis backplane. Defaults: prefix <c>exg:</c>, connect timeout 5 s, retry forever in the background.</summary>
public sealed record RedisBackplaneOptions
{
    /// <summary>A StackExchange.Redis connection string, passed through (endpoints, password, user, ssl, …). Required.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Channel prefix, so several clusters can share one server. Default <c>exg:</c>.</summary>
    public string Prefix { get; init; } = "exg:";

    /// <summary>How long the first connection may take. Default 5 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where the backplane logs. Default: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>Thrown when Redis cannot be reached.</summary>
public sealed class GaterBackplaneException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GaterBackplaneException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public GaterBackplaneException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public GaterBackplaneException() { }
}

/// <summary>Connects the bus to Redis pub/sub: channel <c>&lt;prefix&gt;&lt;instance&gt;:&lt;topic&gt;</c>, patterns as PSUBSCRIBE.</summary>
public static class RedisBackplane
{
    /// <summary>Connects to Redis; subscriptions come back by themselves after a restart or a cut connection.</summary>
    /// <exception cref="GaterBackplaneException">Redis cannot be reached, or the connection string is malformed.</exception>
    public static async Task<IGaterBackplane> ConnectAsync(RedisBackplaneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfigurationOptions config;
        try
        {
            config = ConfigurationOptions.Parse(options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new GaterBackplaneException($"The Redis connection string is malformed: {ex.Message}", ex);
        }
        config.AbortOnConnectFail = true;
        // While disconnected, publishing fails at once (counted, logged) instead of queueing stale frames;
        // receivers then see the loss as a sequence gap.
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        config.ClientName ??= "exesdbgater";
        ConnectionMultiplexer mux;
        try
        {
            mux = await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
        }
        catch (RedisConnectionException ex)
        {
            throw new GaterBackplaneException($"Redis is unreachable at {string.Join(",", config.EndPoints)}: {ex.Message.Split('\n')[0]}", ex);
        }
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
                throw new GaterBackplaneException($"Redis at {string.Join(",", config.EndPoints)} accepted no subscription connection: {ex.Message.Split('\n')[0]}", ex);
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

internal sealed partial class RedisBackplaneConnection : IGaterBackplane
{
    private readonly ConnectionMultiplexer _mux;
    private readonly ISubscriber _sub;
    private readonly string _prefix;
    private readonly ILogger _logger;
    private long _publishFailures;

    public RedisBackplaneConnection(ConnectionMultiplexer mux, RedisBackplaneOptions options)
    {
        _mux = mux;
        _sub = mux.GetSubscriber();
        _prefix = options.Prefix;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ExEsdbGater.Redis");
        _mux.ConnectionFailed += OnFailed;
        _mux.ConnectionRestored += OnRestored;
    }

    public string Name => "redis";

    public long PublishFailures => Interlocked.Read(ref _publishFailures);

    public event Action<BackplaneStateChange>? StateChanged;

    public ValueTask PublishAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
    {
        var channel = RedisChannel.Literal(RedisBackplane.ChannelName(_prefix, instance, topic));
        // Pipelined: commands from one multiplexer go out in order; failures are counted and logged, not lost silently.
        Task<long> task;
        try
        {
            task = _sub.PublishAsync(channel, frame);
        }
        catch (RedisException ex)
        {
            OnPublishFailed(new AggregateException(ex));
            return ValueTask.CompletedTask;
        }
        if (!task.IsCompletedSuccessfully)
        {
            _ = task.ContinueWith(
                static (t, state) => ((RedisBackplaneConnection)state!).OnPublishFailed(t.Exception!),
                this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, string topicPattern, BackplaneFrameHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!TopicPattern.IsValid(topicPattern))
        {
            throw new ArgumentException($"'{topicPattern}' is not a valid topic pattern.", nameof(topicPattern));
        }
        var channel = topicPattern.Contains('*', StringComparison.Ordinal)
            ? RedisChannel.Pattern(RedisBackplane.ChannelPattern(_prefix, instance, topicPattern))
            : RedisChannel.Literal(RedisBackplane.ChannelName(_prefix, instance, topicPattern));
        var head = RedisBackplane.ChannelName(_prefix, instance, string.Empty);
        var queue = await _sub.SubscribeAsync(channel).ConfigureAwait(false);
        // the queue hands messages over one at a time, in the order Redis sent them
        queue.OnMessage(m =>
        {
            var name = m.Channel.ToString();
            // an empty frame arrives as a value without content (HasValue false): still a frame
            if (name.StartsWith(head, StringComparison.Ordinal))
            {
                handler(instance, name[head.Length..], (byte[]?)m.Message ?? []);
            }
        });
        return new Unsubscribe(queue);
    }

    private void OnPublishFailed(AggregateException ex)
    {
        Interlocked.Increment(ref _publishFailures);
        LogPublishFailed(_logger, ex.InnerException?.Message ?? ex.Message);
    }

    private void OnFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            StateChanged?.Invoke(new BackplaneStateChange(BackplaneState.Disconnected, $"{e.EndPoint}: {e.FailureType}"));
        }
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            StateChanged?.Invoke(new BackplaneStateChange(BackplaneState.Reconnected, $"{e.EndPoint}"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _mux.ConnectionFailed -= OnFailed;
        _mux.ConnectionRestored -= OnRestored;
        await _mux.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
        await _mux.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis publish failed: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, string error);

    private sealed class Unsubscribe(ChannelMessageQueue queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await queue.UnsubscribeAsync().ConfigureAwait(false);
    }
}

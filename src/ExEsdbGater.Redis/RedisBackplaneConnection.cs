using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ExEsdbGater.Backplanes;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

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

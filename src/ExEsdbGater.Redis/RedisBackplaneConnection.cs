using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ExEsdbGater.Backplanes;
using ExEsdbGater.Bus;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

internal sealed partial class RedisBackplaneConnection : IGaterBackplane
{
    private readonly IConnectionMultiplexer _mux;
    // false for a multiplexer the caller handed in: it is theirs to close, ours only to unsubscribe from
    private readonly bool _ownsMux;
    private readonly ISubscriber _sub;
    private readonly string _prefix;
    private readonly ILogger _logger;
    private readonly bool _cluster;
    private IServer? _publishServer;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ChannelMessageQueue, RedisChannel> _queues = new();
    private int _watching;
    private volatile bool _disposed;
    private long _publishFailures;
    private long _receiveHandlerFailures;
    private readonly long _backlogMaxBytes;
    private long _backlogDropped;
    // when a backlog drop was last logged (a timestamp of _time; 0: never)
    private long _backlogLoggedAt;
    private readonly TimeProvider _time;
    private readonly PublishTracker _tracker;
    private readonly TimeSpan _replyDeadline;
    // about once a second: replies the client never completes are failed and counted, and stop holding frames back
    private readonly ITimer _overdue;
    private readonly PublishBatcher _batcher;
    // channel names by instance and topic, encoded once: a publish otherwise built and encoded its name each time
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(GaterInstance, string), RedisChannel> _channels = new();
    private const int MaxCachedChannels = 4096;
    private int _cachedChannels;

    public RedisBackplaneConnection(IConnectionMultiplexer mux, string prefix, ILoggerFactory? loggerFactory, bool ownsMux, bool batchFrames, long backlogMaxBytes, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _mux = mux;
        _ownsMux = ownsMux;
        _backlogMaxBytes = backlogMaxBytes;
        _sub = mux.GetSubscriber();
        _cluster = mux.GetServers().Any(s => s.ServerType == ServerType.Cluster);
        _prefix = prefix;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ExEsdbGater.Redis");
        _mux.ConnectionFailed += OnFailed;
        _replyDeadline = ReplyDeadline(mux);
        _tracker = new PublishTracker(OnPublishFailed, _replyDeadline, _time);
        _batcher = new PublishBatcher(mux.GetDatabase(), _tracker, batchFrames, _cluster ? PublishOnOneNode : null, _time);
        _overdue = _time.CreateTimer(static self => ((RedisBackplaneConnection)self!).CheckOverdue(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public string Name => "redis";

    public long PublishFailures => Interlocked.Read(ref _publishFailures);

    public event Action<BackplaneStateChange>? StateChanged;

    public ValueTask PublishAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var channel = ChannelOf(instance, topic);
        // Pipelined and sent in batches: commands from one multiplexer go out in order; failures are counted and
        // logged, not lost silently.
        if (!_batcher.Publish(channel, frame))
        {
            // raced with dispose: after the last flush nothing would send it
            OnPublishFailed(new ObjectDisposedException(nameof(RedisBackplaneConnection), "The Redis backplane was disposed before this frame could be sent."), 1);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Publishes sent and not yet answered.</summary>
    internal int PublishesInFlight => _tracker.InFlight;

    private RedisChannel ChannelOf(GaterInstance instance, string topic)
    {
        if (_channels.TryGetValue((instance, topic), out var channel))
        {
            return channel;
        }
        channel = RedisChannel.Literal(RedisBackplane.ChannelName(_prefix, instance, topic));
        if (Interlocked.Increment(ref _cachedChannels) > MaxCachedChannels)
        {
            // many distinct topics: start over rather than grow without bound
            Volatile.Write(ref _cachedChannels, 0);
            _channels.Clear();
        }
        _channels.TryAdd((instance, topic), channel);
        return channel;
    }

    // In a cluster, StackExchange.Redis sends each PUBLISH of an unrouted channel to any node, round-robin; every
    // node relays it over its own cluster-bus links, so frames overtook each other (found by the failover test:
    // 30, 33, 34, 31, …). One node for all of a connection's frames keeps them in order, and costs nothing: classic
    // pub/sub reaches every node of the cluster whichever node takes the PUBLISH. Another node is taken only when
    // this one is gone.
    private Task PublishOnOneNode(RedisChannel channel, RedisValue message)
    {
        var server = Volatile.Read(ref _publishServer);
        if (server is not { IsConnected: true })
        {
            server = _mux.GetServers().Where(s => s.IsConnected).OrderBy(s => s.EndPoint.ToString(), StringComparer.Ordinal).FirstOrDefault()
                ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "no cluster node is connected");
            Volatile.Write(ref _publishServer, server);
        }
        return server.ExecuteAsync("PUBLISH", [(RedisValue)(byte[]?)channel, message]);
    }

    public async ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, string topicPattern, BackplaneFrameHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!TopicPattern.IsValid(topicPattern))
        {
            throw new ArgumentException($"'{topicPattern}' is not a valid topic pattern.", nameof(topicPattern));
        }
        var literal = RedisBackplane.ChannelName(_prefix, instance, topicPattern);
        var channel = topicPattern.Contains('*', StringComparison.Ordinal)
            ? RedisChannel.Pattern(RedisBackplane.ChannelPattern(_prefix, instance, topicPattern))
            : RedisChannel.Literal(literal);
        var topics = new TopicNames(RedisBackplane.ChannelName(_prefix, instance, string.Empty), literal, topicPattern);
        // on a master only: in a cluster, a replica gets each PUBLISH of its master twice (over the cluster bus and over
        // replication, redis/redis#1137), and the client's default (prefer a master) may still pick one, as a
        // duplicated frame in a cluster contract test showed
        var queue = await _sub.SubscribeAsync(channel, CommandFlags.DemandMaster).ConfigureAwait(false);
        _queues[queue] = channel;
        // the queue hands messages over one at a time, in the order Redis sent them
        queue.OnMessage(m =>
        {
            // an empty frame arrives as a value without content: still a frame, of no bytes
            if (topics.TopicOf(m.Channel) is not { } topic)
            {
                return;
            }
            var message = (ReadOnlyMemory<byte>)m.Message;
            if (queue.TryGetCount(out var waiting) && (long)waiting * (message.Length + QueuedMessageOverhead) > _backlogMaxBytes)
            {
                OnBacklogDrop(instance, topic, waiting);
                return;
            }
            var frames = FrameBatch.Count(message.Span);
            if (frames == 0)
            {
                // a frame, or a batch that does not add up: handed on whole, so the verifier rejects and counts it
                Hand(handler, instance, topic, message);
                return;
            }
            if (GaterBusCore.TakesBatches(handler, frames))
            {
                HandBatch(handler, instance, topic, message, frames);
                return;
            }
            for (int i = 0, offset = FrameBatch.Start; i < frames; i++)
            {
                Hand(handler, instance, topic, FrameBatch.Next(message, ref offset));
            }
        });
        return new Unsubscribe(this, queue);
    }

    // What a queued message costs the client beyond its bytes (queue entry, channel and value), so that a flood of
    // tiny messages is bounded too.
    internal const int QueuedMessageOverhead = 256;

    // Twice the client's own timeout for commands (the larger of sync and async) and a second: by then it has failed
    // every reply it still knew of.
    internal static TimeSpan ReplyDeadline(IConnectionMultiplexer mux)
    {
        var timeout = mux.TimeoutMilliseconds;
        try
        {
            timeout = Math.Max(timeout, ConfigurationOptions.Parse(mux.Configuration).AsyncTimeout);
        }
        catch (ArgumentException)
        {
            // a configuration the client wrote itself always parses; should it not, the sync timeout stands
        }
        return TimeSpan.FromMilliseconds((2L * Math.Max(1000, timeout)) + 1000);
    }

    /// <summary>The publish watcher (tests).</summary>
    internal PublishTracker Tracker => _tracker;

    private void CheckOverdue()
    {
        try
        {
            _tracker.ExpireOverdue();
            _batcher.ReleaseOverdue(_replyDeadline);
        }
#pragma warning disable CA1031 // on a timer nothing may escape; the next tick tries again
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log(() => LogOverdueCheckFailed(_logger, ex));
        }
    }

    /// <summary>Redis messages waiting in the client's queues, not yet handed on (tests).</summary>
    internal int ReceiveWaiting => _queues.Keys.Sum(q => q.TryGetCount(out var n) ? n : 0);

    /// <summary>Redis messages dropped unverified because the client's queue ahead of verification was over its bound.</summary>
    internal long ReceiveBacklogDropped => Interlocked.Read(ref _backlogDropped);

    private void OnBacklogDrop(GaterInstance instance, string topic, int waiting)
    {
        var dropped = Interlocked.Increment(ref _backlogDropped);
        GaterTelemetry.Dropped.Add(1, new KeyValuePair<string, object?>("queue", "redis_receive"));
        var last = Interlocked.Read(ref _backlogLoggedAt);
        if ((last == 0 || _time.GetElapsedTime(last) >= TimeSpan.FromSeconds(1))
            && Interlocked.CompareExchange(ref _backlogLoggedAt, _time.GetTimestamp(), last) == last)
        {
            Log(() => LogBacklogDropped(_logger, instance.WireName(), topic, waiting, dropped));
        }
    }

    /// <summary>Frames, or whole batches handed to a bus, whose handler threw (the rest of a batch handed on frame by frame still is).</summary>
    internal long ReceiveHandlerFailures => Interlocked.Read(ref _receiveHandlerFailures);

    // A batch's frames, in order, to a bus that verifies them on several threads as one batch (TakesBatches); any
    // other handler gets them one at a time above, each failure that frame's own.
    private void HandBatch(BackplaneFrameHandler handler, GaterInstance instance, string topic, ReadOnlyMemory<byte> message, int frames)
    {
        var list = ArrayPool<ReadOnlyMemory<byte>>.Shared.Rent(frames);
        try
        {
            for (int i = 0, offset = FrameBatch.Start; i < frames; i++)
            {
                list[i] = FrameBatch.Next(message, ref offset);
            }
            try
            {
                GaterBusCore.HandBatch(handler, instance, topic, list, frames);
            }
#pragma warning disable CA1031 // the bus's failure is this batch's, never the next one's
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _receiveHandlerFailures);
                Log(() => LogHandlerFailed(_logger, ex, instance.WireName(), topic));
            }
        }
        finally
        {
            Array.Clear(list, 0, frames);
            ArrayPool<ReadOnlyMemory<byte>>.Shared.Return(list);
        }
    }

    // StackExchange.Redis drops what a message handler throws: a throw for one frame of a batch would lose the frames
    // after it without a word. Each frame is handed on by itself; a failure is counted and logged.
    private void Hand(BackplaneFrameHandler handler, GaterInstance instance, string topic, ReadOnlyMemory<byte> frame)
    {
        try
        {
            handler(instance, topic, frame);
        }
#pragma warning disable CA1031 // the subscriber's failure is that frame's, never the next one's
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _receiveHandlerFailures);
            Log(() => LogHandlerFailed(_logger, ex, instance.WireName(), topic));
        }
    }

    private void OnPublishFailed(Exception ex, int frames)
    {
        Interlocked.Add(ref _publishFailures, frames);
        Log(() => LogPublishFailed(_logger, frames, ex.Message));
    }

    // Failures are reported from the thread pool and from under the publish tracker's lock: a logging provider that
    // throws must not end the process or stop the flushes.
    private static void Log(Action log)
    {
        try
        {
            log();
        }
#pragma warning disable CA1031 // the failure is already counted; its log line is lost with the logger
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    // A lost connection is often never "restored": after a cluster or Sentinel failover the dead node stays dead and
    // subscriptions move to another node (found by the failover tests: Disconnected, then nothing). So Reconnected
    // means what a receiver cares about: a server is reachable and every subscription is up on a connected node.
    private void OnFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription && Interlocked.CompareExchange(ref _watching, 1, 0) == 0)
        {
            StateChanged?.Invoke(new BackplaneStateChange(BackplaneState.Disconnected, $"{e.EndPoint}: {e.FailureType}"));
            _ = WatchUntilSubscriptionsAreUpAsync();
        }
    }

    private bool SubscriptionsAreUp()
        => _mux.GetServers().Any(s => s.IsConnected) && _queues.Values.All(c => _sub.IsConnected(c));

    private async Task WatchUntilSubscriptionsAreUpAsync()
    {
        try
        {
            do
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
            while (!_disposed && !SubscriptionsAreUp());
        }
        finally
        {
            Volatile.Write(ref _watching, 0);
        }
        if (!_disposed)
        {
            StateChanged?.Invoke(new BackplaneStateChange(BackplaneState.Reconnected, string.Join(",", _queues.Values.Select(c => _sub.SubscribedEndpoint(c)).Distinct())));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _mux.ConnectionFailed -= OnFailed;
        await _overdue.DisposeAsync().ConfigureAwait(false);
        // what was published before DisposeAsync goes out before the connection closes; a publish racing this
        // fails and is counted instead of waiting in a batch nobody sends
        _batcher.Close();
        if (_ownsMux)
        {
            await _mux.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
            await _mux.DisposeAsync().ConfigureAwait(false);
            // closed: a reply still awaited will never come; counted, not left in flight
            _tracker.FailRemaining(new ObjectDisposedException(nameof(RedisBackplaneConnection), "The backplane was disposed before Redis answered this publish."));
            return;
        }
        // the caller's multiplexer stays open: end only what this backplane subscribed
        foreach (var queue in _queues.Keys)
        {
            _queues.TryRemove(queue, out _);
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (RedisException ex)
            {
                LogUnsubscribeFailed(_logger, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis: checking for publishes without a reply failed")]
    private static partial void LogOverdueCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unsubscribe at dispose failed: {Error}")]
    private static partial void LogUnsubscribeFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis: the handler of a frame on {Instance} {Topic} threw; the next frames are handed on")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string instance, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis: receiving is behind ({Waiting} messages wait in the client); dropped a message on {Instance} {Topic} unverified, {Dropped} so far")]
    private static partial void LogBacklogDropped(ILogger logger, string instance, string topic, int waiting, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis publish of {Frames} frame(s) failed: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, int frames, string error);

    private sealed class Unsubscribe(RedisBackplaneConnection owner, ChannelMessageQueue queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            owner._queues.TryRemove(queue, out _);
            // after the backplane is disposed there is nothing left to unsubscribe from (and on a cluster
            // StackExchange.Redis throws ObjectDisposedException: found by the cluster contract run)
            try
            {
                if (!owner._disposed)
                {
                    await queue.UnsubscribeAsync().ConfigureAwait(false);
                }
            }
            catch (ObjectDisposedException) when (owner._disposed)
            {
                // disposed meanwhile
            }
        }
    }
}

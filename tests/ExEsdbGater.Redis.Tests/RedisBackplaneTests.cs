using System.Collections.Concurrent;
using ExEsdbGater.Testing;

namespace ExEsdbGater.Redis.Tests;

/// <summary>The raw backplane contract over a real redis-server; a new prefix per test keeps tests apart.</summary>
public sealed class RedisBackplaneContractTests : BackplaneContractTests, IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8] + ":";

    public RedisBackplaneContractTests(RedisServer redis) => _redis = redis;

    protected override async ValueTask<IGaterBackplane> ConnectAsync()
        => await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = _redis.ConnectionString, Prefix = _prefix });

    protected override bool SupportsStateEvents => true;

    // This class has its own server (class fixture) and xUnit runs its tests one at a time, so a restart disturbs no other test.
    protected override bool CanInterruptConnections => true;

    protected override Task InterruptConnectionsAsync()
    {
        _redis.Stop();
        return Task.CompletedTask;
    }

    protected override Task RestoreConnectionsAsync() => _redis.StartAsync();
}

/// <summary>The bus over a real redis-server.</summary>
public sealed class RedisBusContractTests : BusOverBackplaneContractTests, IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8] + ":";

    public RedisBusContractTests(RedisServer redis) => _redis = redis;

    protected override async ValueTask<IGaterBackplane> ConnectAsync()
        => await RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = _redis.ConnectionString, Prefix = _prefix });
}

public sealed class RedisBackplaneSpecificTests : IClassFixture<RedisServer>
{
    private readonly RedisServer _redis;

    public RedisBackplaneSpecificTests(RedisServer redis) => _redis = redis;

    private Task<IGaterBackplane> ConnectAsync(string prefix)
        => RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = _redis.ConnectionString, Prefix = prefix });

    private static Task Until(Func<bool> condition, string what) => Until(condition, () => what, TimeSpan.FromSeconds(10));

    private static Task Until(Func<bool> condition, Func<string> what, TimeSpan timeout) => Waiting.UntilAsync(condition, what, timeout);

    [Theory]
    [InlineData("cluster:*", "exg:ex_esdb_health:cluster:*")]
    [InlineData("a?b", "exg:ex_esdb_health:a\\?b")]
    [InlineData("x[1]*", "exg:ex_esdb_health:x\\[1\\]*")]
    [InlineData("back\\slash*", "exg:ex_esdb_health:back\\\\slash*")]
    public void Patterns_escape_redis_glob_characters_but_star(string pattern, string expected)
    {
        Assert.Equal(expected, RedisBackplane.ChannelPattern("exg:", GaterInstance.Health, pattern));
    }

    [Fact]
    public void Channels_are_prefix_instance_topic()
    {
        Assert.Equal("exg:ex_esdb_health:cluster:health", RedisBackplane.ChannelName("exg:", GaterInstance.Health, "cluster:health"));
    }

    [Fact]
    public async Task Clusters_under_different_prefixes_do_not_see_each_other()
    {
        await using var one = await ConnectAsync("one:");
        await using var two = await ConnectAsync("two:");
        await using var twoMarker = await ConnectAsync("two:");
        var onOne = 0;
        var onTwo = new ConcurrentQueue<string>();
        await using var s1 = await one.SubscribeAsync(GaterInstance.Health, "*", (_, _, _) => Interlocked.Increment(ref onOne));
        await using var s2 = await two.SubscribeAsync(GaterInstance.Health, "*", (_, t, _) => onTwo.Enqueue(t));
        await one.PublishAsync(GaterInstance.Health, "cluster:health", "x"u8.ToArray());
        // once prefix one's own subscriber has it, the server has handled that publish; a later marker on prefix two
        // then reaches two's connection after anything that publish could have sent it
        await Until(() => Volatile.Read(ref onOne) == 1, "the frame under its own prefix");
        await twoMarker.PublishAsync(GaterInstance.Health, "marker", "m"u8.ToArray());
        await Until(() => onTwo.Contains("marker"), "the marker under prefix two");
        Assert.Equal(["marker"], onTwo);
    }

    [Fact]
    public async Task Publishes_the_server_answers_leave_nothing_in_flight_and_count_no_failure()
    {
        await using var plane = await ConnectAsync("inflight:");
        var c = (RedisBackplaneConnection)plane;
        for (var i = 0; i < 1000; i++)
        {
            await plane.PublishAsync(GaterInstance.Health, "t" + (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture), "x"u8.ToArray());
        }
        await Until(() => c.PublishesInFlight == 0, "every publish answered");
        Assert.Equal(0, c.PublishFailures);
    }

    [Fact]
    public async Task Frames_on_more_topics_than_the_channel_cache_holds_arrive_under_their_own_topics()
    {
        await using var plane = await ConnectAsync("many:");
        var topics = new ConcurrentQueue<string>();
        var bodies = new ConcurrentQueue<string>();
        await using var sub = await plane.SubscribeAsync(GaterInstance.Health, "*", (_, t, f) =>
        {
            topics.Enqueue(t);
            bodies.Enqueue(System.Text.Encoding.UTF8.GetString(f.Span));
        });
        const int n = 5000;
        for (var i = 0; i < n; i++)
        {
            var topic = "t" + (i % 4500).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await plane.PublishAsync(GaterInstance.Health, topic, System.Text.Encoding.UTF8.GetBytes(topic));
        }
        await Until(() => topics.Count == n, "every frame");
        // one subscription's frames arrive in order, each under the topic it was published on
        Assert.Equal(Enumerable.Range(0, n).Select(i => "t" + (i % 4500).ToString(System.Globalization.CultureInfo.InvariantCulture)), topics);
        Assert.Equal(topics, bodies);
    }

    [Fact]
    public async Task Frames_published_just_before_dispose_still_go_out_in_order()
    {
        await using var receiver = await ConnectAsync("lastwords:");
        var got = new ConcurrentQueue<int>();
        await using var sub = await receiver.SubscribeAsync(GaterInstance.Health, "t", (_, _, f) => got.Enqueue(BitConverter.ToInt32(f.Span)));
        var sender = await ConnectAsync("lastwords:");
        const int n = 2000;
        for (var i = 0; i < n; i++)
        {
            await sender.PublishAsync(GaterInstance.Health, "t", BitConverter.GetBytes(i));
        }
        var failures = ((RedisBackplaneConnection)sender).PublishFailures;
        await sender.DisposeAsync();
        await Until(() => got.Count == n, "every frame");
        Assert.Equal(Enumerable.Range(0, n), got);
        Assert.Equal(0, failures);
    }

    [Fact]
    public async Task Every_publish_while_the_server_is_down_is_counted_as_a_failure()
    {
        await using var plane = await ConnectAsync("down:");
        var c = (RedisBackplaneConnection)plane;
        _redis.Stop();
        try
        {
            // sent before the client noticed or refused at once: each one fails, and is counted once
            for (var i = 0; i < 20; i++)
            {
                await plane.PublishAsync(GaterInstance.Health, "t", "x"u8.ToArray());
            }
            // a frame written before the client noticed fails when its reply times out (seconds)
            await Until(() => c.PublishFailures == 20, () => $"twenty failures (so far {c.PublishFailures}, {c.PublishesInFlight} in flight)", TimeSpan.FromSeconds(60));
            Assert.Equal(0, c.PublishesInFlight);
        }
        finally
        {
            await _redis.StartAsync();
        }
    }

    [Fact]
    public async Task An_unreachable_server_is_one_clear_error()
    {
        var ex = await Assert.ThrowsAsync<GaterBackplaneException>(() => RedisBackplane.ConnectAsync(new RedisBackplaneOptions { ConnectionString = "127.0.0.1:1", ConnectTimeout = TimeSpan.FromSeconds(1) }));
        Assert.Contains("unreachable", ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>
/// StackExchange.Redis queues received messages without bound; a handler slower than the flood must not turn that
/// queue into unbounded memory: past ReceiveBacklogMaxBytes, arrivals are dropped unverified, counted and logged.
/// </summary>
public sealed class RedisReceiveBacklogTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Messages_over_the_receive_backlog_are_dropped_unverified_counted_and_logged_and_the_rest_handed_on_in_order()
    {
        var prefix = "backlog" + Guid.NewGuid().ToString("N")[..8] + ":";
        var logs = new CapturingLoggerFactory();
        await using var plane = await RedisBackplane.ConnectAsync(new RedisBackplaneOptions
        {
            ConnectionString = redis.ConnectionString,
            Prefix = prefix,
            ReceiveBacklogMaxBytes = 1024 * 1024,
            LoggerFactory = logs,
        });
        var connection = (RedisBackplaneConnection)plane;
        long metered = 0;
        using var meter = new System.Diagnostics.Metrics.MeterListener();
        meter.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "exesdbgater.dropped")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meter.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "queue", Value: "redis_receive" })
                {
                    Interlocked.Add(ref metered, value);
                }
            }
        });
        meter.Start();
        using var gate = new ManualResetEventSlim(false);
        var handled = new System.Collections.Concurrent.ConcurrentQueue<int>();
        await using var sub = await plane.SubscribeAsync(GaterInstance.Health, "t", (_, _, f) =>
        {
            handled.Enqueue(f.Span[0]);
            gate.Wait(TimeSpan.FromSeconds(30));
        });
        // 64 messages that count 256 KiB each (with the client's per-message overhead) from another client, while the
        // handler holds the first: 63 wait in the client
        await using var raw = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var channel = StackExchange.Redis.RedisChannel.Literal(RedisBackplane.ChannelName(prefix, GaterInstance.Health, "t"));
        for (var i = 1; i <= 64; i++)
        {
            var message = new byte[(256 * 1024) - RedisBackplaneConnection.QueuedMessageOverhead];
            message[0] = (byte)i;
            await raw.GetSubscriber().PublishAsync(channel, message);
            if (i == 1)
            {
                // the handler holds the first before the rest arrive: taken with others already behind it, it could
                // itself be over the bound
                await Waiting.UntilAsync(() => handled.Count == 1, () => "the first message handled", TimeSpan.FromSeconds(20));
            }
        }
        await Waiting.UntilAsync(() => connection.ReceiveWaiting == 63, () => $"63 messages waiting (so far {connection.ReceiveWaiting})", TimeSpan.FromSeconds(20));
        gate.Set();

        // taken in turn: the message taken with more than 4 behind it (4 x 256 KiB is the bound) is dropped
        await Waiting.UntilAsync(() => handled.Count + connection.ReceiveBacklogDropped == 64, () => $"64 messages judged (handled {handled.Count}, dropped {connection.ReceiveBacklogDropped})", TimeSpan.FromSeconds(20));
        Assert.Equal([1, 60, 61, 62, 63, 64], handled);
        Assert.Equal(58, connection.ReceiveBacklogDropped);
        Assert.Equal(58, Interlocked.Read(ref metered));
        var warning = Assert.Single(logs.Lines, l => l.Contains("receiving is behind", StringComparison.Ordinal));
        Assert.Contains("ex_esdb_health t", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shared_multiplexer_takes_the_bound_too_and_refuses_one_under_a_largest_frame()
    {
        await using var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var ex = Assert.Throws<GaterConfigurationException>(() => RedisBackplane.Create(mux, receiveBacklogMaxBytes: 1000));
        Assert.StartsWith("RedisBackplaneOptions.ReceiveBacklogMaxBytes must be at least 1 MiB", ex.Message, StringComparison.Ordinal);
        await using var plane = RedisBackplane.Create(mux, "shared" + Guid.NewGuid().ToString("N")[..8] + ":", receiveBacklogMaxBytes: 1024 * 1024);
        Assert.Equal("redis", plane.Name);
    }

    private sealed class CapturingLoggerFactory : Microsoft.Extensions.Logging.ILoggerFactory, Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public void AddProvider(Microsoft.Extensions.Logging.ILoggerProvider provider)
        {
        }

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}

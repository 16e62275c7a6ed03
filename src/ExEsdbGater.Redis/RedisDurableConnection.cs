using System.Collections.Concurrent;
using System.Globalization;
using ExEsdbGater.Backplanes;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

/// <summary>The Redis Streams transport: appends by script (position, entry, trim and wake-up in one atomic step).</summary>
internal sealed class RedisDurableConnection : IGaterDurableTransport
{
    // n: the entry's position among all appends (kept in the meta hash), so trimmed entries can be counted exactly.
    private const string AppendScript = """
        local n = redis.call('HINCRBY', KEYS[2], 'added', 1)
        local id
        if ARGV[3] ~= '' then
          id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'n', n, 't', ARGV[1], 'f', ARGV[2])
        else
          id = redis.call('XADD', KEYS[1], '*', 'n', n, 't', ARGV[1], 'f', ARGV[2])
        end
        if ARGV[4] ~= '' then
          local t = redis.call('TIME')
          local minid = string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[4]))
          redis.call('XTRIM', KEYS[1], 'MINID', '~', minid)
        end
        redis.call('PUBLISH', ARGV[5], id)
        return id
        """;

    private readonly ConnectionMultiplexer _mux;
    private readonly ConcurrentDictionary<GaterInstance, Wakeups> _wakeups = new();
    private readonly SemaphoreSlim _subscribeLock = new(1, 1);
    private readonly RedisValue _maxLength;
    private readonly RedisValue _maxAgeMs;
    private volatile bool _disposed;

    public RedisDurableConnection(ConnectionMultiplexer mux, RedisDurableOptions options)
    {
        _mux = mux;
        Database = mux.GetDatabase();
        Prefix = options.Prefix;
        Fallback = options.ReadFallbackInterval;
        _maxLength = options.MaxLength is { } n ? n.ToString(CultureInfo.InvariantCulture) : "";
        _maxAgeMs = options.MaxAge is { } a ? ((long)a.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) : "";
    }

    public string Name => "redis-streams";

    public IDatabase Database { get; }

    public string Prefix { get; }

    public TimeSpan Fallback { get; }

    public RedisKey StreamKey(GaterInstance instance) => RedisDurableTransport.StreamKey(Prefix, instance);

    public RedisKey MetaKey(GaterInstance instance) => RedisDurableTransport.StreamKey(Prefix, instance) + ":meta";

    public RedisKey DeadKey(GaterInstance instance) => RedisDurableTransport.DeadLetterKey(Prefix, instance);

    private string WakeChannel(GaterInstance instance) => RedisDurableTransport.StreamKey(Prefix, instance) + ":wake";

    public async ValueTask<string> AppendAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(topic);
        var result = await Database.ScriptEvaluateAsync(AppendScript, [StreamKey(instance), MetaKey(instance)],
            [topic, frame, _maxLength, _maxAgeMs, WakeChannel(instance)]).ConfigureAwait(false);
        return (string)result!;
    }

    public async ValueTask<IDurableStreamReader> OpenGroupAsync(GaterInstance instance, string group, string consumer, TimeSpan claimIdle, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var reader = new RedisGroupReader(this, instance, group, consumer, claimIdle, await WakeupsAsync(instance).ConfigureAwait(false));
        await reader.CreateGroupAsync().ConfigureAwait(false);
        return reader;
    }

    public async ValueTask<IDurableStreamReader> OpenHistoryAsync(GaterInstance instance, StreamPosition from, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new RedisHistoryReader(this, instance, from, await WakeupsAsync(instance).ConfigureAwait(false));
    }

    // One pub/sub subscription per instance wakes every reader of it.
    private async Task<Wakeups> WakeupsAsync(GaterInstance instance)
    {
        if (_wakeups.TryGetValue(instance, out var w))
        {
            return w;
        }
        await _subscribeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_wakeups.TryGetValue(instance, out w))
            {
                w = new Wakeups();
                await _mux.GetSubscriber().SubscribeAsync(RedisChannel.Literal(WakeChannel(instance)), (_, _) => w.WakeAll()).ConfigureAwait(false);
                _wakeups[instance] = w;
            }
            return w;
        }
        finally
        {
            _subscribeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await _mux.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
        await _mux.DisposeAsync().ConfigureAwait(false);
        _subscribeLock.Dispose();
    }

    /// <summary>Parses <c>[id, [field, value, …]]</c>; a trimmed entry (fields nil) gives null.</summary>
    public static DurableEntry? ParseEntry(RedisResult raw, bool redelivered)
    {
        var parts = (RedisResult[])raw!;
        var id = (string)parts[0]!;
        if (parts.Length < 2 || parts[1].IsNull)
        {
            return null;
        }
        var fields = (RedisResult[])parts[1]!;
        string topic = "";
        byte[] frame = [];
        long n = 0;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string)fields[i]!)
            {
                case "n":
                    n = long.TryParse((string)fields[i + 1]!, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
                    break;
                case "t":
                    topic = (string)fields[i + 1]! ?? "";
                    break;
                case "f":
                    frame = (byte[])fields[i + 1]! ?? [];
                    break;
                default:
                    break;
            }
        }
        return new DurableEntry(id, topic, frame, n, redelivered);
    }

    /// <summary>The wake-up signals of one instance's readers.</summary>
    internal sealed class Wakeups
    {
        private readonly ConcurrentDictionary<SemaphoreSlim, byte> _signals = new();

        public SemaphoreSlim Register()
        {
            var s = new SemaphoreSlim(0, 1);
            _signals[s] = 0;
            return s;
        }

        public void Unregister(SemaphoreSlim s)
        {
            _signals.TryRemove(s, out _);
            s.Dispose();
        }

        public void WakeAll()
        {
            foreach (var s in _signals.Keys)
            {
                try
                {
                    if (s.CurrentCount == 0)
                    {
                        s.Release();
                    }
                }
                catch (SemaphoreFullException)
                {
                    // already awake
                }
                catch (ObjectDisposedException)
                {
                    // unregistered meanwhile
                }
            }
        }
    }
}

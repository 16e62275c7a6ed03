using ExEsdbGater.Backplanes;
using ExEsdbGater.Frames;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

/// <summary>
/// A replay memory in Redis that survives receiver restarts: one key per accepted (node, id),
/// <c>SET &lt;prefix&gt;replay:&lt;scope&gt;:&lt;node&gt;:&lt;id&gt; 1 NX PX &lt;window&gt;</c>, which is atomic and
/// expires when no receiver could accept the frame any more. Set it as <see cref="VerifierOptions.ReplayStore"/>.
/// </summary>
/// <remarks>
/// One round trip per accepted frame, on the receive path (see docs/security.md for its measured cost). Works with
/// one server, a cluster (one key per command, any slot) and sentinels. When Redis is unreachable or slower than
/// <see cref="RedisReplayStoreOptions.Timeout"/>, <see cref="TryRemember"/> throws and the verifier applies
/// <see cref="VerifierOptions.ReplayStoreFailure"/>.
/// </remarks>
public sealed class RedisReplayStore : IReplayStore, IAsyncDisposable
{
    private static readonly RedisValue One = 1;
    private readonly ConnectionMultiplexer _mux;
    private readonly IDatabase _db;
    private readonly string _keyHead;

    private RedisReplayStore(ConnectionMultiplexer mux, RedisReplayStoreOptions options)
    {
        _mux = mux;
        _db = mux.GetDatabase();
        Scope = options.Scope;
        _keyHead = options.Prefix + "replay:" + options.Scope + ":";
    }

    /// <summary>The scope: whose replay memory this is.</summary>
    public string Scope { get; }

    /// <summary>Connects to Redis. Its own connection: replay checks never wait behind pub/sub traffic.</summary>
    /// <exception cref="GaterConfigurationException">An option is invalid; the message names it.</exception>
    /// <exception cref="GaterBackplaneException">Redis cannot be reached, or the connection string is malformed.</exception>
    public static async Task<RedisReplayStore> ConnectAsync(RedisReplayStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Check();
        var config = RedisConnector.Parse(options.ConnectionString, options.ConnectTimeout);
        config.SyncTimeout = (int)options.Timeout.TotalMilliseconds;
        config.AsyncTimeout = config.SyncTimeout;
        return new RedisReplayStore(await RedisConnector.ConnectAsync(config).ConfigureAwait(false), options);
    }

    /// <summary>The key of a pair: <c>&lt;prefix&gt;replay:&lt;scope&gt;:&lt;node&gt;:&lt;id&gt;</c> (node names hold no <c>:</c>, so keys are unambiguous).</summary>
    public static string KeyName(string prefix, string scope, string node, string id) => prefix + "replay:" + scope + ":" + node + ":" + id;

    /// <inheritdoc/>
    /// <exception cref="RedisException">Redis could not answer (not connected, timed out, or an error reply).</exception>
    public bool TryRemember(string node, string id, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(id);
        return _db.StringSet(_keyHead + node + ":" + id, One, window, When.NotExists);
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _mux.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
        await _mux.DisposeAsync().ConfigureAwait(false);
    }
}

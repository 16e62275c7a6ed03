using System.Buffers;
using System.Globalization;

namespace ExEsdbGater.Redis;

/// <summary>Settings of <see cref="RedisReplayStore"/>. Every default is stated on its property; <see cref="RedisReplayStore.ConnectAsync"/> checks them.</summary>
public sealed record RedisReplayStoreOptions
{
    private static readonly SearchValues<char> ScopeChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+@-");

    /// <summary>
    /// A StackExchange.Redis connection string, as for <see cref="RedisBackplaneOptions.ConnectionString"/>: one
    /// server, a cluster, or sentinels with <c>serviceName=…</c>.
    /// </summary>
    /// <value>Required; not empty.</value>
    public required string ConnectionString { get; init; }

    /// <summary>
    /// Whose replay memory this is. Receivers with the same scope share one memory: a (node, id) is accepted by the
    /// first of them only, every later one rejects it as <c>replayed</c>. Give each receiving process a scope of its
    /// own that survives its restarts (its node name is the usual choice); share a scope only among processes that
    /// take turns being one receiver (active and standby, a rolling restart), never among receivers that all need
    /// every message.
    /// </summary>
    /// <value>Required, no default (a wrongly shared scope silently takes messages from receivers):
    /// 1–256 characters of <c>A–Z a–z 0–9 _ . + @ -</c>.</value>
    public required string Scope { get; init; }

    /// <summary>Key prefix, so several clusters can share one server. Keys are <c>&lt;prefix&gt;replay:&lt;scope&gt;:&lt;node&gt;:&lt;id&gt;</c>.</summary>
    /// <value>Default <c>exg:</c>. Not null; may be empty.</value>
    public string Prefix { get; init; } = RedisDefaults.Prefix;

    /// <summary>
    /// How long one check may take before it counts as the store being unavailable (then
    /// <see cref="Frames.VerifierOptions.ReplayStoreFailure"/> decides). The check runs on the receive path, so
    /// this bounds how long a hung Redis can hold up each frame.
    /// </summary>
    /// <value>Default 1 second. Greater than zero.</value>
    public TimeSpan Timeout { get; init; } = RedisDefaults.ReplayTimeout;

    /// <summary>How long the first connection may take; afterwards the store reconnects in the background forever.</summary>
    /// <value>Default 5 seconds. Greater than zero.</value>
    public TimeSpan ConnectTimeout { get; init; } = RedisDefaults.ConnectTimeout;

    /// <summary>Throws <see cref="GaterConfigurationException"/> naming the first bad setting.</summary>
    internal void Check()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new GaterConfigurationException("RedisReplayStoreOptions.ConnectionString must not be empty.");
        }
        if (Scope is null || Scope.Length is 0 or > 256 || Scope.AsSpan().ContainsAnyExcept(ScopeChars))
        {
            throw new GaterConfigurationException($"RedisReplayStoreOptions.Scope must be 1-256 characters of A-Z a-z 0-9 _ . + @ - (was '{Scope}').");
        }
        if (Prefix is null)
        {
            throw new GaterConfigurationException("RedisReplayStoreOptions.Prefix must not be null.");
        }
        Positive(Timeout, "RedisReplayStoreOptions.Timeout");
        Positive(ConnectTimeout, "RedisReplayStoreOptions.ConnectTimeout");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            throw new GaterConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{name} must be positive and under 24 days (was {value})."));
        }
    }
}

using System.ComponentModel.DataAnnotations;
using ExEsdbGater.Redis;

namespace ExEsdbGater.Hosting;

/// <summary>The Redis backplane's settings (section <c>ExEsdbGater:Redis</c>).</summary>
public sealed class GaterRedisSettings
{
    private static readonly RedisBackplaneOptions Core = new() { ConnectionString = "-" };

    /// <summary>A StackExchange.Redis connection string (may hold a password: never logged).</summary>
    /// <value>Default null; required when the Redis backplane is added.</value>
    public string? ConnectionString { get; set; }

    /// <summary>Channel prefix, so several clusters can share one server.</summary>
    /// <value>Default <c>exg:</c>.</value>
    [Required(AllowEmptyStrings = true)]
    public string Prefix { get; set; } = Core.Prefix;

    /// <summary>How long the first connection may take at start.</summary>
    /// <value>Default 5 seconds. Between 1 ms and 1 day.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan ConnectTimeout { get; set; } = Core.ConnectTimeout;

    /// <summary>Frames of one channel published in a burst go out as one Redis message (see <see cref="RedisBackplaneOptions.BatchFrames"/>).</summary>
    /// <value>Default true.</value>
    public bool BatchFrames { get; set; } = Core.BatchFrames;

    /// <summary>Bytes of received frames that may wait ahead of verification before arrivals are dropped (see <see cref="RedisBackplaneOptions.ReceiveBacklogMaxBytes"/>).</summary>
    /// <value>Default 64 MiB. At least 1 MiB.</value>
    [Range(typeof(long), "1048576", "9223372036854775807")]
    public long ReceiveBacklogMaxBytes { get; set; } = Core.ReceiveBacklogMaxBytes;
}

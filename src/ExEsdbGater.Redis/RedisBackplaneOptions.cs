using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ExEsdbGater.Backplanes;
using ExEsdbGater.Frames;
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

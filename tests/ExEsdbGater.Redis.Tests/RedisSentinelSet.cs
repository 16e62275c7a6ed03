using System.Globalization;

namespace ExEsdbGater.Redis.Tests;

/// <summary>
/// A Sentinel-managed primary and replica (redis-server ×2) watched by one redis-sentinel with quorum 1, on free
/// loopback ports in a temporary directory: started once per test class (fixture), stopped with everything it started.
/// </summary>
public sealed class RedisSentinelSet : IAsyncLifetime
{
    public const string Service = "gater";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "exg-sentinel-" + Guid.NewGuid().ToString("N")[..8]);

    public RedisProcess Primary { get; private set; } = null!;

    public RedisProcess Replica { get; private set; } = null!;

    public RedisProcess Sentinel { get; private set; } = null!;

    /// <summary>The StackExchange.Redis sentinel connection string: the sentinels' endpoints and the service name.</summary>
    public string ConnectionString => $"{Sentinel.Endpoint},serviceName={Service}";

    private static string[] DataNode(int port, params string[] more)
        => ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--appendonly", "no", "--save", "", "--loglevel", "warning", .. more];

    public async Task InitializeAsync()
    {
        var p1 = RedisProcess.FreePort();
        var p2 = RedisProcess.FreePort();
        var ps = RedisProcess.FreePort();
        Primary = new RedisProcess(Path.Combine(_root, "primary"), p1, DataNode(p1));
        Replica = new RedisProcess(Path.Combine(_root, "replica"), p2, DataNode(p2, "--replicaof", "127.0.0.1", p1.ToString(CultureInfo.InvariantCulture)));
        var sentinelDir = Path.Combine(_root, "sentinel");
        Directory.CreateDirectory(sentinelDir);
        // sentinel rewrites its own config file, so it gets one of its own (absolute path)
        var conf = Path.Combine(sentinelDir, "sentinel.conf");
        await File.WriteAllTextAsync(conf, string.Create(CultureInfo.InvariantCulture, $"""
            port {ps}
            bind 127.0.0.1
            sentinel monitor {Service} 127.0.0.1 {p1} 1
            sentinel down-after-milliseconds {Service} 1000
            sentinel failover-timeout {Service} 5000
            sentinel parallel-syncs {Service} 1

            """));
        Sentinel = new RedisProcess(sentinelDir, ps, conf, "--sentinel", "--loglevel", "warning");
        await Primary.StartAsync();
        await Replica.StartAsync();
        await RedisProcess.UntilAsync(async () => (await RedisProcess.CliAsync(p2, "info", "replication")).Contains("master_link_status:up", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the replica to sync");
        await Sentinel.StartAsync();
        await WaitReadyAsync(Primary, Replica);
    }

    /// <summary>Waits until the sentinel names <paramref name="primary"/> and knows <paramref name="replica"/> as a healthy replica of it.</summary>
    public Task WaitReadyAsync(RedisProcess primary, RedisProcess replica) => RedisProcess.UntilAsync(async () =>
    {
        if (await PrimaryPortAsync() != primary.Port)
        {
            return false;
        }
        var replicas = await RedisProcess.CliAsync(Sentinel.Port, "sentinel", "replicas", Service);
        var lines = replicas.Split('\n', StringSplitOptions.TrimEntries);
        // one replica: its reply is name/value lines; healthy when its flags are just "slave"
        var flags = Array.IndexOf(lines, "flags");
        return lines.Contains(replica.Port.ToString(CultureInfo.InvariantCulture)) && flags >= 0 && flags + 1 < lines.Length && lines[flags + 1] == "slave";
    }, TimeSpan.FromSeconds(60), $"the sentinel to know {primary.Port} as primary and {replica.Port} as its replica");

    /// <summary>The port of the primary as the sentinel sees it.</summary>
    public async Task<int> PrimaryPortAsync()
    {
        var reply = (await RedisProcess.CliAsync(Sentinel.Port, "sentinel", "get-master-addr-by-name", Service)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return reply.Length == 2 ? int.Parse(reply[1], CultureInfo.InvariantCulture) : -1;
    }

    public Task DisposeAsync()
    {
        Sentinel?.Dispose();
        Replica?.Dispose();
        Primary?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}

using System.Globalization;

namespace ExEsdbGater.Redis.Tests;

/// <summary>
/// A Redis Cluster of three masters with one replica each, on free loopback ports, in a temporary directory:
/// started once per test class (fixture), stopped with everything it started.
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    // Short node timeout: a killed master is failed over in a few seconds, not fifteen.
    private const string NodeTimeoutMs = "2000";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "exg-cluster-" + Guid.NewGuid().ToString("N")[..8]);

    public List<RedisProcess> Nodes { get; } = [];

    /// <summary>Every node, as a StackExchange.Redis cluster connection string (any one would do; all is sturdier).</summary>
    public string ConnectionString => string.Join(",", Nodes.Select(n => n.Endpoint));

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 6; i++)
        {
            var port = RedisProcess.FreePort();
            var p = port.ToString(CultureInfo.InvariantCulture);
            Nodes.Add(new RedisProcess(Path.Combine(_root, p), port,
                "--port", p, "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", NodeTimeoutMs, "--appendonly", "no", "--save", "", "--loglevel", "warning"));
        }
        await Task.WhenAll(Nodes.Select(n => n.StartAsync()));
        await RedisProcess.CliAsync(["--cluster", "create", .. Nodes.Select(n => n.Endpoint), "--cluster-replicas", "1", "--cluster-yes"]);
        await WaitHealthyAsync();
    }

    /// <summary>
    /// Waits until every running node says the cluster is ok and every one of them sees the same three masters with a
    /// running replica each. A restarted master believes itself master until it hears otherwise; a client that read
    /// the topology from it then would subscribe on what is by then a replica, which gets each PUBLISH of its master
    /// twice (over the cluster bus and over replication, redis/redis#1137).
    /// </summary>
    public Task WaitHealthyAsync() => RedisProcess.UntilAsync(async () =>
    {
        string? agreed = null;
        foreach (var n in Nodes.Where(n => n.Running))
        {
            if (!(await RedisProcess.CliAsync(n.Port, "cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return false;
            }
            var nodes = await ClusterNodesAsync(n.Port);
            if (nodes.Count(x => x.Master && !x.Failed) != 3 || nodes.Count(x => !x.Master && !x.Failed) != Nodes.Count(p => p.Running) - 3)
            {
                return false;
            }
            var masters = string.Join(",", nodes.Where(x => x.Master && !x.Failed).Select(x => x.Port).Order());
            if ((agreed ??= masters) != masters)
            {
                return false;
            }
        }
        return true;
    }, TimeSpan.FromSeconds(60), "a healthy cluster");

    public sealed record NodeInfo(string Id, int Port, bool Master, bool Failed, string Slots);

    public Task<List<NodeInfo>> ClusterNodesAsync() => ClusterNodesAsync(Nodes.First(n => n.Running).Port);

    /// <summary>The cluster as the node on <paramref name="port"/> sees it.</summary>
    public async Task<List<NodeInfo>> ClusterNodesAsync(int port)
    {
        var text = await RedisProcess.CliAsync(port, "cluster", "nodes");
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var f = line.Split(' ');
            var nodePort = int.Parse(f[1].Split('@')[0].Split(':')[1], CultureInfo.InvariantCulture);
            return new NodeInfo(f[0], nodePort, f[2].Contains("master", StringComparison.Ordinal), f[2].Contains("fail", StringComparison.Ordinal), string.Join(' ', f.Skip(8)));
        })];
    }

    /// <summary>The running node that is master of the slot of <paramref name="key"/> (a channel name hashes like a key).</summary>
    public async Task<RedisProcess> MasterOfAsync(string key)
    {
        var slot = int.Parse((await RedisProcess.CliAsync(Nodes.First(n => n.Running).Port, "cluster", "keyslot", key)).Trim(), CultureInfo.InvariantCulture);
        foreach (var n in (await ClusterNodesAsync()).Where(x => x.Master && !x.Failed))
        {
            foreach (var range in n.Slots.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(r => !r.StartsWith('[')))
            {
                var ends = range.Split('-');
                var lo = int.Parse(ends[0], CultureInfo.InvariantCulture);
                var hi = int.Parse(ends[^1], CultureInfo.InvariantCulture);
                if (slot >= lo && slot <= hi)
                {
                    return Nodes.Single(p => p.Port == n.Port);
                }
            }
        }
        throw new InvalidOperationException($"no master holds slot {slot}");
    }

    /// <summary>Starts a killed node again: it rejoins (its nodes.conf is kept) as a replica of the master that replaced it.</summary>
    public async Task RestartAsync(RedisProcess node)
    {
        await node.StartAsync();
        await WaitHealthyAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var n in Nodes)
        {
            n.Dispose();
        }
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

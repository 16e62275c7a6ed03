using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ExEsdbGater.Redis.Tests;
using Gater.Cli.Tests;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>The sample worker, run as two real processes over a real redis-server: what the publisher's bridges send, the subscriber prints.</summary>
public sealed class SampleTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task Two_workers_talk_over_redis_through_the_bridges_and_a_DI_handler()
    {
        using var subscriber = Start("subscriber", "sub@localhost");
        await TestHosts.Until(() => subscriber.Lines.Any(l => l.Contains("started as sub@localhost", StringComparison.Ordinal)), "the subscriber to start", 60);
        using var publisher = Start("publisher", "pub@localhost");
        string[] expected =
        [
            "RECEIVED NodeLifecycle from pub@localhost: Joined",
            "RECEIVED NodeHealth from pub@localhost: pub@localhost is Healthy",
            "RECEIVED LogEntry from pub@localhost: [Info] ExEsdbGater.Sample.Worker.BatchWorker: Processed batch",
            "RECEIVED ResourceUsage from pub@localhost: Cpu",
            "RECEIVED ResourceUsage from pub@localhost: Memory",
        ];
        await TestHosts.Until(() => expected.All(e => subscriber.Lines.Any(l => l.StartsWith(e, StringComparison.Ordinal))), "every family on the subscriber", 60);

        Assert.Equal(0, await publisher.StopAsync());
        await TestHosts.Until(() => subscriber.Lines.Any(l => l.StartsWith("RECEIVED NodeLifecycle from pub@localhost: Left", StringComparison.Ordinal)), "the publisher leaving", 30);
        Assert.Equal(0, await subscriber.StopAsync());
        Assert.Contains(publisher.Lines, l => l.Contains("drained", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_publisher_health_logs_and_metrics_arrive_typed_and_verified_in_gater_tail()
    {
        (string Instance, string[] Types)[] expected =
        [
            ("ex_esdb_health", [NodeHealth.TagName, ComponentHealth.TagName, HealthCheck.TagName]),
            ("ex_esdb_logging", [LogEntry.TagName]),
            ("ex_esdb_metrics", [ResourceUsage.TagName, PerformanceMetric.TagName]),
        ];
        var env = new Dictionary<string, string?> { ["SECRET_KEY_BASE"] = TestHosts.Secret };
        var tails = expected.Select(e => GaterProcess.Start(["tail", "--json", "--redis", _redis.ConnectionString, "--instance", e.Instance, "--topic", "*", "--duration", "120s"], env)).ToArray();
        try
        {
            foreach (var tail in tails)
            {
                await TestHosts.Until(() => tail.Errors.Any(e => e.StartsWith("following", StringComparison.Ordinal)), "gater tail to start", 60);
            }
            using var publisher = Start("publisher", "pub@localhost");
            for (var i = 0; i < tails.Length; i++)
            {
                var (tail, (instance, types)) = (tails[i], expected[i]);
                await TestHosts.Until(() => VerifiedTypes(tail, "pub@localhost").IsSupersetOf(types), $"{string.Join(", ", types)} verified in the tail of {instance}", 60);
            }
            Assert.Equal(0, await publisher.StopAsync());
            // nothing the tails saw failed verification
            Assert.All(tails, t => Assert.DoesNotContain(Lines(t), l => !l.GetProperty("ok").GetBoolean()));
        }
        finally
        {
            foreach (var tail in tails)
            {
                tail.Dispose();
            }
        }
    }

    private static IEnumerable<JsonElement> Lines(GaterProcess tail)
        => tail.Output.Select(l => JsonDocument.Parse(l).RootElement);

    // The types of the lines that passed verification, from one node.
    private static HashSet<string> VerifiedTypes(GaterProcess tail, string node)
        => Lines(tail).Where(l => l.GetProperty("ok").GetBoolean() && l.GetProperty("node").GetString() == node).Select(l => l.GetProperty("type").GetString()!).ToHashSet(StringComparer.Ordinal);

    private Worker Start(string role, string node)
    {
        var dll = SampleDll();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(dll)! };
        psi.ArgumentList.Add(dll);
        psi.Environment["SECRET_KEY_BASE"] = TestHosts.Secret;
        psi.Environment["Sample__Role"] = role;
        psi.Environment["ExEsdbGater__NodeName"] = node;
        psi.Environment["ExEsdbGater__Redis__ConnectionString"] = _redis.ConnectionString;
        psi.Environment["Logging__LogLevel__ExEsdbGater"] = "Information";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return new Worker(Process.Start(psi)!);
    }

    private static string SampleDll()
    {
        var here = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(here).Parent!.Name;
        var dir = new DirectoryInfo(here);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ExEsdbGater.slnx")))
        {
            dir = dir.Parent;
        }
        var dll = Path.Combine(dir!.FullName, "samples/ExEsdbGater.Sample.Worker/bin", configuration, "net10.0/ExEsdbGater.Sample.Worker.dll");
        Assert.True(File.Exists(dll), $"the sample is built with the tests: {dll}");
        return dll;
    }

    private sealed class Worker : IDisposable
    {
        private readonly Process _process;

        public Worker(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Add(e.Data);
            process.ErrorDataReceived += (_, e) => Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public ConcurrentQueue<string> Lines { get; } = new();

        /// <summary>SIGTERM, as a service manager stops a service; the exit code.</summary>
        public async Task<int> StopAsync()
        {
            await Signals.SendAsync(_process.Id, "TERM");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
        }

        private void Add(string? line)
        {
            if (line is not null)
            {
                Lines.Enqueue(line);
            }
        }
    }
}

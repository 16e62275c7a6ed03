using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using ExEsdbGater.Redis.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>The README's "In an ASP.NET Core or worker service" code, compiled and run here; a test keeps the README's copy identical.</summary>
public sealed partial class ReadmeHostingTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task The_worker_service_example_runs_as_written()
    {
        string[] args = ["--ExEsdbGater:NodeName=orders@host-a", $"--ExEsdbGater:Redis:ConnectionString={_redis.ConnectionString}", $"--ExEsdbGater:Secret={TestHosts.Secret}"];
        var lines = new ConcurrentQueue<string>();
        #region readme-host
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddExEsdbGater()                      // options: the "ExEsdbGater" section; secret: SECRET_KEY_BASE
            .AddRedisBackplane()                                // ExEsdbGater:Redis:ConnectionString
            .AddHandler<HealthWatcher>("cluster:health")        // resolved in a new scope per message
            .AddHealthBridge().AddLogBridge().AddMetricsBridge().AddLifecycleBridge();
        builder.Services.AddHealthChecks().AddExEsdbGater();    // ready: backplane, rejections, drops, backlog; live: running
        using var host = builder.Build();
        #endregion
        host.Services.GetRequiredService<ILoggerFactory>().AddProvider(new Capture(lines));
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<IGaterBus>();
        await bus.BroadcastClusterHealthUpdateAsync(HealthMessages.NodeHealth("orders@host-a", NodeHealthStatus.Healthy));
        await TestHosts.Until(() => lines.Contains("orders@host-a is Healthy (from orders@host-a)"), "the handler's log line");
        await host.StopAsync();
    }

    [Fact]
    public void The_README_shows_this_code()
    {
        var root = RepoRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "ExEsdbGater.Hosting.Tests", "ReadmeHostingTests.cs"));
        var readme = Normalize(File.ReadAllText(Path.Combine(root, "README.md")));
        foreach (Match region in RegionPattern().Matches(source))
        {
            Assert.Contains(Normalize(region.Groups[1].Value), readme, StringComparison.Ordinal);
        }
        Assert.Equal(2, RegionPattern().Count(source));
    }

    // From the build output, not [CallerFilePath]: CI builds map source paths to /_/
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ExEsdbGater.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("ExEsdbGater.slnx not found above " + AppContext.BaseDirectory);
    }

    private static string Normalize(string s) => string.Join('\n', s.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    [GeneratedRegex(@"#region readme-\w+\r?\n(.*?)#endregion", RegexOptions.Singleline)]
    private static partial Regex RegionPattern();

    private sealed class Capture(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}

#region readme-handler
internal sealed class HealthWatcher(ILogger<HealthWatcher> logger) : IGaterHandler<NodeHealth>
{
    public ValueTask HandleAsync(NodeHealth health, Envelope envelope, CancellationToken cancellationToken)
    {
        logger.LogInformation("{Node} is {Status} (from {Sender})", health.Node, health.Status, envelope.Node);
        return ValueTask.CompletedTask;
    }
}
#endregion

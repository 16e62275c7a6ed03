namespace ExEsdbGater.Redis.Tests;

/// <summary>A real redis-server on a free loopback port, started and stopped by the tests (one <see cref="RedisProcess"/>).</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "exg-redis-" + Guid.NewGuid().ToString("N")[..8]);
    private RedisProcess? _process;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The running server's process id (to pause it with SIGSTOP, for instance).</summary>
    public int ProcessId => _process?.ProcessId ?? throw new InvalidOperationException("redis-server is not running");

    public async Task InitializeAsync()
    {
        Port = RedisProcess.FreePort();
        _process = new RedisProcess(_directory, Port, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning");
        await StartAsync();
    }

    public Task DisposeAsync()
    {
        Stop();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
        return Task.CompletedTask;
    }

    public Task StartAsync() => (_process ?? throw new InvalidOperationException("not initialized")).StartAsync();

    public void Stop() => _process?.Kill();

    public async Task RestartAsync(TimeSpan down)
    {
        Stop();
        await Task.Delay(down);
        await StartAsync();
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ExEsdbGater.Redis.Tests;

/// <summary>A real redis-server on a free loopback port, started and stopped by the tests.</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>The running server's process id (to pause it with SIGSTOP, for instance).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("redis-server is not running");

    public async Task InitializeAsync()
    {
        Port = FreePort();
        await StartAsync();
    }

    public Task DisposeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    public static string Executable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var path = Path.Combine(dir, "redis-server");
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new InvalidOperationException("redis-server is not installed; the README's test command (./test.sh) installs it from Debian packages.");
    }

    public async Task StartAsync()
    {
        var psi = new ProcessStartInfo(Executable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning" })
        {
            psi.ArgumentList.Add(a);
        }
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buf = new byte[16];
                var n = await stream.ReadAsync(buf);
                if (n > 0 && buf[0] == (byte)'+')
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port}");
            }
            await Task.Delay(50);
        }
    }

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        _process = null;
    }

    public async Task RestartAsync(TimeSpan down)
    {
        Stop();
        await Task.Delay(down);
        await StartAsync();
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ExEsdbGater.Redis.Tests;

/// <summary>One redis-server process (a cluster node, a primary, a replica or a sentinel) in a directory of its own.</summary>
public sealed class RedisProcess : IDisposable
{
    private readonly string[] _args;
    private Process? _process;

    public RedisProcess(string directory, int port, params string[] args)
    {
        Directory = directory;
        Port = port;
        _args = args;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    public int Port { get; }

    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public bool Running => _process is { HasExited: false };

    /// <summary>The running server's process id (to pause it with SIGSTOP, for instance).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("redis-server is not running");

    public async Task StartAsync()
    {
        var psi = new ProcessStartInfo(Tool("redis-server")) { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in _args)
        {
            psi.ArgumentList.Add(a);
        }
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await RespondsAsync())
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"redis-server {string.Join(' ', _args)} did not start on port {Port}");
            }
            await Task.Delay(50);
        }
    }

    private async Task<bool> RespondsAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buf = new byte[16];
            return await stream.ReadAsync(buf) > 0 && buf[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL: the process dies mid-stream, as a crashed machine would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();

    /// <summary>Runs redis-cli with the arguments; returns its standard output, throws with its errors on failure.</summary>
    public static async Task<string> CliAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(Tool("redis-cli")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', args)} exited {p.ExitCode}: {await stdout} {await stderr}");
        }
        return await stdout;
    }

    /// <summary>redis-cli on one port; the reply as text.</summary>
    public static Task<string> CliAsync(int port, params string[] args) => CliAsync(["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. args]);

    public static string Tool(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new InvalidOperationException($"{name} is not installed; the README's test command (./test.sh) installs it from Debian packages.");
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; the timeout is a safety limit.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }
            await Task.Delay(100);
        }
    }
}

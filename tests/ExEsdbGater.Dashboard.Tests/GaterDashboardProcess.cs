using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ExEsdbGater.Dashboard.Tests;

/// <summary>The real <c>gater dashboard</c> as a separate process.</summary>
public sealed class GaterDashboardProcess : IDisposable
{
    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly ConcurrentQueue<string> _errors = new();

    private GaterDashboardProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string Errors => string.Join('\n', _errors);

    public static GaterDashboardProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    public static GaterDashboardProcess Start(IDictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gater.dll"));
        psi.ArgumentList.Add("dashboard");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment.Remove("SECRET_KEY_BASE");
        psi.Environment.Remove("ASPNETCORE_URLS");
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        var p = new GaterDashboardProcess(Process.Start(psi)!);
        p._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                p._lines.Add(line);
            }
        };
        p._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                p._errors.Enqueue(line);
            }
        };
        p._process.BeginOutputReadLine();
        p._process.BeginErrorReadLine();
        return p;
    }

    /// <summary>The URL the command prints once it serves.</summary>
    public string WaitForUrl(TimeSpan timeout)
    {
        const string prefix = "gater dashboard: ";
        var until = DateTime.UtcNow + timeout;
        while (_lines.TryTake(out var line, until - DateTime.UtcNow > TimeSpan.Zero ? until - DateTime.UtcNow : TimeSpan.Zero))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..];
            }
        }
        throw new TimeoutException("gater dashboard printed no URL; stderr: " + Errors);
    }

    /// <summary>SIGTERM, sent the way a service manager would.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("bash", ["-c", $"kill -TERM {_process.Id}"]);
        await kill.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
        _lines.Dispose();
    }
}

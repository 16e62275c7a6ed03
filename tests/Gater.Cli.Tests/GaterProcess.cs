using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Gater.Cli.Tests;

/// <summary>Runs the real <c>gater</c> command as a separate process.</summary>
public sealed class GaterProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _out = new();
    private readonly ConcurrentQueue<string> _err = new();

    private GaterProcess(Process process)
    {
        _process = process;
    }

    public IReadOnlyCollection<string> Output => _out;

    public IReadOnlyCollection<string> Errors => _err;

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Standard input, when started with it kept open.</summary>
    public Stream Input => _process.StandardInput.BaseStream;

    public int ExitCode => _process.ExitCode;

    public static string GaterDll => Path.Combine(AppContext.BaseDirectory, "gater.dll");

    /// <summary>
    /// How every test starts gater: all streams redirected, none of this process's keys or node name inherited,
    /// then <paramref name="env"/> applied.
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string?>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(GaterDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment.Remove("SECRET_KEY_BASE");
        psi.Environment.Remove("SECRET_KEY_BASE_PREVIOUS");
        psi.Environment.Remove("EXG_NODE_NAME");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            psi.Environment[k] = v;
        }
        return psi;
    }

    public static GaterProcess Start(IEnumerable<string> args, IDictionary<string, string?>? env = null, byte[]? stdin = null, bool keepStdinOpen = false)
    {
        var p = Process.Start(StartInfo(args, env))!;
        var gp = new GaterProcess(p);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                gp._out.Enqueue(e.Data);
            }
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                gp._err.Enqueue(e.Data);
            }
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (stdin is not null)
        {
            p.StandardInput.BaseStream.Write(stdin);
        }
        if (!keepStdinOpen)
        {
            p.StandardInput.Close();
        }
        return gp;
    }

    public static async Task<(int Code, string[] Out, string[] Err)> RunAsync(IEnumerable<string> args, IDictionary<string, string?>? env = null, byte[]? stdin = null, TimeSpan? timeout = null)
    {
        using var p = Start(args, env, stdin);
        await p.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return (p.ExitCode, p._out.ToArray(), p._err.ToArray());
    }

    public async Task WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gater did not exit within {timeout}; stderr: {string.Join(" | ", _err)}");
        }
        // WaitForExitAsync also waits for the redirected streams to reach end of file
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}

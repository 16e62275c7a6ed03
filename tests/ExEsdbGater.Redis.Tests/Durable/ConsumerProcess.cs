using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ExEsdbGater.Redis.Tests.Durable;

/// <summary>tests/Gater.DurableConsumer as a real child process: a durable consumer that prints what it handled.</summary>
internal sealed class ConsumerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private ConsumerProcess(Process process) => _process = process;

    /// <summary>(number, entry id, redelivered) per handled entry, in order.</summary>
    public IReadOnlyList<(int N, string Id, bool Redelivered)> Done
        => _lines.Where(l => l.StartsWith("done ", StringComparison.Ordinal)).Select(l => l.Split(' ')).Select(p => (int.Parse(p[1], CultureInfo.InvariantCulture), p[2], p[3] == "redelivered")).ToArray();

    public bool Ready => _lines.Contains("ready");

    public string Errors => string.Join("\n", _errors);

    public static ConsumerProcess Start(string redis, string prefix, string node, int delayMs)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Gater.DurableConsumer.dll"), redis, prefix, node, delayMs.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["SECRET_KEY_BASE"] = DurableNode.Secret;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var p = Process.Start(psi)!;
        var c = new ConsumerProcess(p);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                c._lines.Enqueue(e.Data);
            }
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                c._errors.Enqueue(e.Data);
            }
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return c;
    }

    /// <summary>SIGKILL: no handler finishes, no acknowledgement is sent, nothing is cleaned up.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
    }
}

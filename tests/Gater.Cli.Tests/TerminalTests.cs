using System.Diagnostics;
using System.Text;

namespace Gater.Cli.Tests;

/// <summary>gater run at a real terminal (a pseudo-terminal from util-linux 'script').</summary>
public sealed class TerminalTests
{
    [Theory]
    [InlineData("verify --instance ex_esdb_health --topic t", "reading one frame from stdin; Ctrl-D to end")]
    [InlineData("verify --lines --instance ex_esdb_health --topic t", "reading frames, one per line, from stdin; Ctrl-D to end")]
    [InlineData("sign --instance ex_esdb_health --topic t --type node_health_updated", "reading the payload JSON from stdin; Ctrl-D to end")]
    public async Task Reading_from_a_terminal_says_so_and_Ctrl_C_stops_it(string command, string prompt)
    {
        var psi = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in new[] { "-qec", $"dotnet \"$GATER_DLL\" {command}; echo \"gater_exit=$?\"", "/dev/null" })
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["GATER_DLL"] = GaterProcess.GaterDll;
        psi.Environment["SECRET_KEY_BASE"] = "terminal-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
        using var p = Process.Start(psi)!;
        var screen = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            var buf = new char[256];
            int n;
            while ((n = await p.StandardOutput.ReadAsync(buf)) > 0)
            {
                lock (screen)
                {
                    screen.Append(buf, 0, n);
                }
            }
        });
        string Screen()
        {
            lock (screen)
            {
                return screen.ToString();
            }
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (!Screen().Contains("Ctrl-D to end", StringComparison.Ordinal))
            {
                await Task.Delay(50, cts.Token);
            }
            Assert.Contains(prompt, Screen(), StringComparison.Ordinal);
            // Ctrl-C typed at the terminal: the terminal sends SIGINT to gater
            await p.StandardInput.WriteAsync('\u0003');
            await p.StandardInput.FlushAsync();
            while (!Screen().Contains("gater_exit=", StringComparison.Ordinal))
            {
                await Task.Delay(50, cts.Token);
            }
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
        }
        Assert.Contains("gater_exit=0", Screen(), StringComparison.Ordinal);
        await reading.WaitAsync(TimeSpan.FromSeconds(30));
    }
}

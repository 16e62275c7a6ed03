using System.Diagnostics;
using System.Globalization;

namespace Gater.Cli.Tests;

/// <summary>
/// A real terminal for one command: a detached tmux server of its own, one window of the given size, read back as
/// text and typed into with send-keys.
/// </summary>
internal sealed class Terminal : IDisposable
{
    private readonly string _socket = "gater-test-" + Guid.NewGuid().ToString("N")[..12];

    public Terminal(int width, int height, string command, IDictionary<string, string>? env = null)
    {
        var args = new List<string> { "new-session", "-d", "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture) };
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            args.Add("-e");
            args.Add($"{k}={v}");
        }
        args.Add(command);
        Tmux([.. args]);
    }

    public string[] Screen() => Tmux("capture-pane", "-p").Split('\n');

    /// <summary>Keys typed at the terminal, in tmux's names (C-c is Ctrl+C).</summary>
    public void SendKeys(params string[] keys) => Tmux(["send-keys", .. keys]);

    /// <summary>The screen once <paramref name="ready"/> holds, or after a minute as it is (the caller's assertions say what is missing).</summary>
    public async Task<string[]> WaitForScreenAsync(Func<string[], bool> ready)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var screen = Screen();
        while (!ready(screen))
        {
            try
            {
                await Task.Delay(200, cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            screen = Screen();
        }
        return screen;
    }

    private string Tmux(params string[] args)
    {
        var psi = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-L");
        psi.ArgumentList.Add(_socket);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        // tmux runs the window's command with $SHELL. CI's is /bin/sh (dash), which dies of the Ctrl+C meant for
        // gater; bash waits for the child and carries on when the child handled it.
        psi.Environment["SHELL"] = "/bin/bash";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("tmux is not installed (./test.sh installs it)");
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit(10_000);
        return output;
    }

    public void Dispose() => Tmux("kill-server");
}

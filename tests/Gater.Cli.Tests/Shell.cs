using System.Diagnostics;
using System.Text;

namespace Gater.Cli.Tests;

/// <summary>Runs a bash script in which <c>gater</c> is the real command, for real pipes and signals.</summary>
internal static class Shell
{
    public static async Task<(int Code, string[] Out, string[] Err)> RunAsync(string script, IDictionary<string, string?>? env = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("gater() { dotnet \"$GATER_DLL\" \"$@\"; }\n" + script);
        psi.Environment["GATER_DLL"] = GaterProcess.GaterDll;
        psi.Environment.Remove("SECRET_KEY_BASE");
        psi.Environment.Remove("SECRET_KEY_BASE_PREVIOUS");
        psi.Environment.Remove("EXG_NODE_NAME");
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            psi.Environment[k] = v;
        }
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"the script did not end within {timeout ?? TimeSpan.FromSeconds(60)}: {script}");
        }
        return (p.ExitCode, Lines(await stdout), Lines(await stderr));
    }

    private static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

using System.Diagnostics;
using System.Globalization;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>Sends a Unix signal with bash's builtin kill: no /bin/kill (procps) needed.</summary>
internal static class Signals
{
    public static async Task SendAsync(int pid, string signal)
    {
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"kill -{signal} {pid}"));
        using var kill = Process.Start(psi)!;
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {pid} failed");
    }
}

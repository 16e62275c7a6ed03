using System.Diagnostics;
using System.Net.Sockets;

namespace ExEsdbGater.Beam.Tests.Distribution;

/// <summary>Makes sure an EPMD daemon listens on 4369 (it is the machine's, shared with other nodes: never stopped).</summary>
internal static class Epmd
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task EnsureRunningAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (await IsUpAsync())
            {
                return;
            }
            using (var p = Process.Start(new ProcessStartInfo("epmd", "-daemon") { UseShellExecute = false })!)
            {
                await p.WaitForExitAsync();
            }
            for (var i = 0; i < 100 && !await IsUpAsync(); i++)
            {
                await Task.Delay(50);
            }
            if (!await IsUpAsync())
            {
                throw new InvalidOperationException("epmd -daemon did not start listening on 4369");
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<bool> IsUpAsync()
    {
        try
        {
            using var c = new TcpClient();
            await c.ConnectAsync("127.0.0.1", 4369);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

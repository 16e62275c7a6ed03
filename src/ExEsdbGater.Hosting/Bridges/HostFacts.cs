using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ExEsdbGater.Hosting.Bridges;

/// <summary>Facts about this process and host that several bridges report.</summary>
internal static class HostFacts
{
    public static string ApplicationName(IServiceProvider services)
        => services.GetService<IHostEnvironment>()?.ApplicationName is { Length: > 0 } name ? name : Process.GetCurrentProcess().ProcessName;

    /// <summary>A store id made from a name: no <c>:</c>, not empty.</summary>
    public static string StoreId(string name) => name.Replace(':', '_') is { Length: > 0 } s ? s : "app";

    /// <summary>The process's working set as a percentage of the memory available to it.</summary>
    public static double MemoryPercent()
    {
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        using var p = Process.GetCurrentProcess();
        return total > 0 ? Math.Round(100.0 * p.WorkingSet64 / total, 2) : 0;
    }

    /// <summary>The one-minute load average where the system reports it (Linux), else null.</summary>
    public static double? LoadAverage()
    {
        try
        {
            if (File.Exists("/proc/loadavg"))
            {
                var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
                return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}

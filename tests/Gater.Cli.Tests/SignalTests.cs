using System.Diagnostics;
using System.Text.Json;

namespace Gater.Cli.Tests;

/// <summary>SIGINT and SIGTERM are requested stops: clean, with the summary, exit 0.</summary>
public sealed class SignalTests
{
    private static async Task SendAsync(GaterProcess p, string signal)
    {
        using var kill = Process.Start("bash", ["-c", $"kill -{signal} {p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)}"])!; // bash's own kill: no procps needed
        await kill.WaitForExitAsync();
    }

    private static async Task WaitForOutputAsync(GaterProcess p)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (p.Output.Count == 0 && !p.HasExited)
        {
            await Task.Delay(100, cts.Token);
        }
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Demo_stops_on_a_signal_with_its_summary_and_exit_0(string signal)
    {
        using var p = GaterProcess.Start(["demo", "--json", "--duration", "10m"]);
        await WaitForOutputAsync(p);
        await SendAsync(p, signal);
        await p.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, p.ExitCode);
        using var last = JsonDocument.Parse(p.Output.Last());
        Assert.True(last.RootElement.GetProperty("summary").GetBoolean());
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Tail_stops_on_a_signal_with_exit_0(string signal)
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            var env = new Dictionary<string, string?> { ["SECRET_KEY_BASE"] = "tail-signal-secret-0123456789-abcdefghijklmnopqrstuvwxyz" };
            using var p = GaterProcess.Start(["tail", "--json", "--instance", "ex_esdb_health", "--topic", "*", "--redis", redis.ConnectionString], env);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!p.Errors.Any(l => l.StartsWith("following", StringComparison.Ordinal)))
            {
                Assert.False(p.HasExited, string.Join(" | ", p.Errors));
                await Task.Delay(100, cts.Token);
            }
            await SendAsync(p, signal);
            await p.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, p.ExitCode);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }
}

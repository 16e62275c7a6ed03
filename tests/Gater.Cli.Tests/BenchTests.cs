using System.Diagnostics;
using System.Text.Json;

namespace Gater.Cli.Tests;

/// <summary>
/// The shape and arithmetic of <c>gater bench --json</c>, never its speed (the machine is shared). The BEAM tests
/// need <c>elixir</c> on PATH (test.sh installs it) and fail without it; the bench itself carries on without it.
/// </summary>
public sealed class BenchTests
{
    private static readonly string[] FanoutNames = ["beam_fanout_1", "beam_fanout_10", "beam_fanout_1000"];

    [Fact]
    public async Task Bench_json_names_costs_and_each_cost_is_raw_over_rate()
    {
        // a young generation of 4 MB (the runtime's knob, hex bytes): the GC figures must follow it, whatever this
        // machine's caches would have made it
        var (code, lines, err) = await GaterProcess.RunAsync(["bench", "--json", "--seconds", "0.05"],
            new Dictionary<string, string?> { ["DOTNET_GCgen0size"] = "0x400000" }, timeout: TimeSpan.FromSeconds(120));
        Assert.True(code == 0, string.Join("\n", err));
        using var doc = JsonDocument.Parse(Assert.Single(lines));
        var results = doc.RootElement.GetProperty("results");
        var ratios = doc.RootElement.GetProperty("ratios");
        Assert.Equal(["sign_cost_vs_raw_hmac", "verify_cost_vs_raw_hmac", "receive_workers_2_vs_1"], ratios.EnumerateObject().Select(p => p.Name));
        // scaling is a speed-up, not a cost: two workers' rate over one's
        Assert.Equal(results.GetProperty("receive_workers_2").GetDouble() / results.GetProperty("receive_workers_1").GetDouble(), ratios.GetProperty("receive_workers_2_vs_1").GetDouble(), 0.002);
        // cores busy = CPU per frame × frames per second
        var details = doc.RootElement.GetProperty("details");
        foreach (var workers in new[] { 1, 2 })
        {
            var rate = results.GetProperty($"receive_workers_{workers}").GetDouble();
            var cpu = details.GetProperty($"receive_workers_{workers}_cpu_us_per_frame").GetDouble();
            // the JSON rounds details to 2 decimals: CPU per frame and cores alike
            Assert.Equal(cpu * rate / 1e6, details.GetProperty($"receive_workers_{workers}_cores").GetDouble(), 0.005 * rate / 1e6 + 0.006);
        }
        // the machine's own ceiling for that ratio: verify alone on one and on two threads, and their quotient
        var verifyOne = details.GetProperty("verify_threads_1").GetDouble();
        var verifyTwo = details.GetProperty("verify_threads_2").GetDouble();
        Assert.True(verifyOne > 0 && verifyTwo > 0, $"verify alone: {verifyOne}, {verifyTwo} frames/s");
        Assert.Equal(verifyTwo / verifyOne, details.GetProperty("verify_threads_2_vs_1").GetDouble(), 0.01 + (0.006 * verifyTwo / verifyOne));
        var raw = results.GetProperty("raw_hmac_sha256").GetDouble();
        foreach (var op in new[] { "sign", "verify" })
        {
            // results are rounded to whole ops/s and ratios to 3 decimals
            Assert.Equal(raw / results.GetProperty(op).GetDouble(), ratios.GetProperty(op + "_cost_vs_raw_hmac").GetDouble(), 0.002);
        }
        foreach (var name in new[] { "local_fanout_1", "local_fanout_10", "local_fanout_1000" })
        {
            Assert.True(results.GetProperty(name).GetDouble() > 0, name);
        }
        // an extra delivery to a Wait-mode handler carries the reentrancy mark (about 100 bytes); to a DropOldest one not
        var waitBytes = details.GetProperty("extra_delivery_bytes").GetDouble();
        var dropBytes = details.GetProperty("extra_delivery_drop_oldest_bytes").GetDouble();
        Assert.True(waitBytes - dropBytes > 50, $"extra delivery: {waitBytes} bytes with Wait-mode queues, {dropBytes} with DropOldest");
        Assert.True(double.IsFinite(details.GetProperty("extra_delivery_drop_oldest_ns").GetDouble()));
        // the collector's part: a share of the run's time, and bytes allocated per gen0 collection near the 4 MB set
        // above. A collection comes once the budget is spent (the runtime may grow it, to 6 MB here), so k of them
        // in the run mean at least k - 1 budgets allocated; the first may fall anywhere in it.
        var pausePercent = details.GetProperty("local_fanout_1000_gc_pause_percent").GetDouble();
        Assert.InRange(pausePercent, 0, 100);
        var collections = details.GetProperty("local_fanout_1000_gen0_collections").GetInt32();
        Assert.True(collections >= 1, "the 1000-subscriber run (about 100 KB a broadcast) saw no gen0 collection");
        var perGen0 = details.GetProperty("local_fanout_1000_bytes_per_gen0_gc").GetDouble();
        Assert.InRange(perGen0, 0.9 * (4 << 20) * (collections - 1) / collections, 64 << 20);
        Assert.False(doc.RootElement.TryGetProperty("beam_baseline", out _));
    }

    [Fact]
    public async Task Beam_baseline_without_elixir_says_so_and_the_bench_carries_on()
    {
        var empty = Directory.CreateTempSubdirectory("gater-no-elixir");
        try
        {
            var (code, lines, err) = await GaterProcess.RunAsync(["bench", "--json", "--seconds", "0.05", "--beam-baseline"],
                new Dictionary<string, string?> { ["PATH"] = empty.FullName }, timeout: TimeSpan.FromSeconds(120));
            Assert.True(code == 0, string.Join("\n", err));
            Assert.Contains("elixir is not on PATH", Assert.Single(err), StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(Assert.Single(lines));
            Assert.False(doc.RootElement.GetProperty("ratios").TryGetProperty("local_fanout_1_vs_beam_1", out _));
        }
        finally
        {
            empty.Delete();
        }
    }

    [Fact]
    public async Task Beam_baseline_script_reports_every_configuration_as_json()
    {
        Assert.True(HasElixir(), "elixir is not on PATH (./test.sh installs Debian's elixir and erlang-crypto)");
        var psi = new ProcessStartInfo("elixir") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "bench", "beam_baseline.exs"), "--json", "--seconds", "0.05" })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(cts.Token);
        Assert.True(p.ExitCode == 0, await stderr);
        using var doc = JsonDocument.Parse((await stdout).Trim());
        var results = doc.RootElement.GetProperty("results");
        Assert.Equal(FanoutNames, results.EnumerateObject().Select(r => r.Name));
        var configs = doc.RootElement.GetProperty("configurations").EnumerateArray().ToArray();
        Assert.Equal(6, configs.Length);
        foreach (var n in new[] { 1, 10, 1000 })
        {
            var rows = configs.Where(c => c.GetProperty("subscribers").GetInt32() == n).ToArray();
            Assert.Equal(["off_heap", "on_heap"], rows.Select(r => r.GetProperty("message_queue_data").GetString()).Order());
            // the reported figure is the better of the two queue modes
            Assert.Equal(rows.Max(r => r.GetProperty("deliveries_per_second").GetDouble()), results.GetProperty($"beam_fanout_{n}").GetDouble());
        }
        var details = doc.RootElement.GetProperty("details");
        Assert.True(details.GetProperty("schedulers").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(details.GetProperty("otp_release").GetString()));
    }

    [Fact]
    public async Task Bench_reports_the_beam_figures_and_ratios_in_the_same_run()
    {
        Assert.True(HasElixir(), "elixir is not on PATH (./test.sh installs Debian's elixir and erlang-crypto)");
        var (code, lines, err) = await GaterProcess.RunAsync(["bench", "--json", "--seconds", "0.05", "--beam-baseline"], timeout: TimeSpan.FromSeconds(180));
        Assert.True(code == 0, string.Join("\n", err));
        Assert.Empty(err);
        using var doc = JsonDocument.Parse(Assert.Single(lines));
        var results = doc.RootElement.GetProperty("results");
        var ratios = doc.RootElement.GetProperty("ratios");
        foreach (var n in new[] { 1, 10, 1000 })
        {
            var ours = results.GetProperty($"local_fanout_{n}").GetDouble();
            var beam = results.GetProperty($"beam_fanout_{n}").GetDouble();
            Assert.Equal(ours / beam, ratios.GetProperty($"local_fanout_{n}_vs_beam_{n}").GetDouble(), 0.002);
            Assert.Equal(beam, doc.RootElement.GetProperty("beam_baseline").GetProperty("results").GetProperty($"beam_fanout_{n}").GetDouble());
        }
    }

    [Fact]
    public async Task Bench_beam_reports_verified_receive_beside_beam_to_beam_with_nothing_lost_or_rejected()
    {
        Assert.True(HasElixir(), "elixir is not on PATH (./test.sh installs Debian's elixir and erlang-crypto)");
        var (code, lines, err) = await GaterProcess.RunAsync(["bench", "--json", "--seconds", "0.05", "--beam"], timeout: TimeSpan.FromSeconds(180));
        Assert.True(code == 0, string.Join("\n", err));
        Assert.Empty(err);
        using var doc = JsonDocument.Parse(Assert.Single(lines));
        var results = doc.RootElement.GetProperty("results");
        var details = doc.RootElement.GetProperty("details");
        var ours = results.GetProperty("beam_receive_verified_per_s").GetDouble();
        var beam = results.GetProperty("beam_to_beam_per_s").GetDouble();
        Assert.True(ours > 0 && beam > 0 && results.GetProperty("beam_publisher_send_per_s").GetDouble() > 0);
        Assert.Equal(ours / beam, doc.RootElement.GetProperty("ratios").GetProperty("beam_receive_vs_beam_to_beam").GetDouble(), 0.002);
        Assert.True(details.GetProperty("beam_messages").GetDouble() > 0);
        foreach (var zero in new[] { "beam_rejected", "beam_lost", "beam_to_beam_lost" })
        {
            Assert.Equal(0, details.GetProperty(zero).GetDouble());
        }
    }

    [Fact]
    public async Task Bench_beam_without_elixir_says_so_and_the_bench_carries_on()
    {
        var empty = Directory.CreateTempSubdirectory("gater-no-elixir");
        try
        {
            var (code, lines, err) = await GaterProcess.RunAsync(["bench", "--json", "--seconds", "0.05", "--beam"],
                new Dictionary<string, string?> { ["PATH"] = empty.FullName }, timeout: TimeSpan.FromSeconds(120));
            Assert.True(code == 0, string.Join("\n", err));
            Assert.Contains("elixir is not on PATH", Assert.Single(err), StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(Assert.Single(lines));
            Assert.False(doc.RootElement.GetProperty("ratios").TryGetProperty("beam_receive_vs_beam_to_beam", out _));
            Assert.False(doc.RootElement.GetProperty("results").TryGetProperty("beam_receive_verified_per_s", out _));
        }
        finally
        {
            empty.Delete();
        }
    }

    private static bool HasElixir()
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, "elixir")));
}

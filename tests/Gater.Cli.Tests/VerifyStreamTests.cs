using System.Text;
using System.Text.Json;

namespace Gater.Cli.Tests;

/// <summary>verify reads standard input as a stream: bounded memory, answers as lines arrive.</summary>
public sealed class VerifyStreamTests
{
    private const string Secret = "verify-stream-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private static readonly Dictionary<string, string?> WithSecret = new() { ["SECRET_KEY_BASE"] = Secret };
    private static readonly string[] VerifyArgs = ["verify", "--instance", "ex_esdb_events", "--topic", "orders:x"];

    private static async Task<string> SignAsync()
    {
        var (code, output, err) = await GaterProcess.RunAsync(["sign", "--instance", "ex_esdb_events", "--topic", "orders:x", "--type", "order_placed"], WithSecret, "{\"order\":42}"u8.ToArray());
        Assert.True(code == 0, string.Join("\n", err));
        return Assert.Single(output);
    }

    private static async Task WaitForLinesAsync(GaterProcess p, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (p.Output.Count < count)
        {
            Assert.False(p.HasExited, "gater verify ended early: " + string.Join(" | ", p.Errors));
            await Task.Delay(50, cts.Token);
        }
    }

    private static long PeakRssKb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Lines_are_answered_as_they_arrive_and_a_200_MB_line_is_rejected_in_bounded_memory()
    {
        var first = await SignAsync();
        var second = await SignAsync();
        using var p = GaterProcess.Start([.. VerifyArgs, "--lines"], WithSecret, keepStdinOpen: true);
        // a line is answered while the input is still open
        await p.Input.WriteAsync(Encoding.UTF8.GetBytes(first + "\n"));
        await p.Input.FlushAsync();
        await WaitForLinesAsync(p, 1);
        // one 200 MB line, then a good frame again
        var chunk = new byte[1 << 20];
        chunk.AsSpan().Fill((byte)'a');
        for (var i = 0; i < 200; i++)
        {
            await p.Input.WriteAsync(chunk);
        }
        await p.Input.WriteAsync(Encoding.UTF8.GetBytes("\n" + second + "\r\n"));
        await p.Input.FlushAsync();
        await WaitForLinesAsync(p, 3);
        var peakMb = PeakRssKb(p.Id) / 1024;
        p.Input.Close();
        await p.WaitAsync(TimeSpan.FromSeconds(60));
        var lines = p.Output.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal([true, false, true], lines.Select(l => l.GetProperty("ok").GetBoolean()));
        Assert.Equal("too_large", lines[1].GetProperty("reason").GetString());
        Assert.Equal([1L, 2L, 3L], lines.Select(l => l.GetProperty("line").GetInt64()));
        Assert.True(peakMb < 150, $"peak RSS {peakMb} MB");
        Assert.Equal(1, p.ExitCode);
    }

    [Fact]
    public async Task Two_frames_without_lines_is_a_usage_error_saying_one_frame_was_expected()
    {
        var frame = await SignAsync();
        var (code, output, err) = await GaterProcess.RunAsync(VerifyArgs, WithSecret, Encoding.UTF8.GetBytes(frame + "\n" + frame + "\n"));
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("expected one frame", Assert.Single(err), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_with_a_CRLF_line_ending_verifies()
    {
        var frame = await SignAsync();
        var (code, output, err) = await GaterProcess.RunAsync(VerifyArgs, WithSecret, Encoding.UTF8.GetBytes(frame + "\r\n"));
        Assert.True(code == 0, string.Join("\n", output.Concat(err)));
        Assert.True(JsonDocument.Parse(Assert.Single(output)).RootElement.GetProperty("ok").GetBoolean());
    }
}

using System.Globalization;

namespace Gater.Cli.Tests;

/// <summary>sign reads at most what a frame can hold: a huge payload is refused in bounded memory.</summary>
public sealed class SignInputTests
{
    private const string Secret = "sign-input-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    private static long? PeakRssKb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null; // already gone
        }
    }

    [Fact]
    public async Task A_50_MB_payload_is_refused_after_reading_at_most_a_frame_and_memory_stays_flat()
    {
        using var p = GaterProcess.Start(["sign", "--instance", "ex_esdb_events", "--topic", "orders:x", "--type", "order_placed"],
            new Dictionary<string, string?> { ["SECRET_KEY_BASE"] = Secret }, keepStdinOpen: true);
        var chunk = new byte[1 << 20];
        chunk.AsSpan().Fill((byte)' '); // JSON whitespace: a reader that kept everything would grow with it
        chunk[0] = (byte)'{';
        long peakKb = 0;
        var written = 0;
        try
        {
            for (; written < 50; written++)
            {
                await p.Input.WriteAsync(chunk);
                await p.Input.FlushAsync();
                peakKb = Math.Max(peakKb, PeakRssKb(p.Id) ?? 0);
                chunk[0] = (byte)' ';
            }
            p.Input.Close();
        }
        catch (IOException)
        {
            // gater stopped reading (and closed its end) once the input passed the frame limit
        }
        await p.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("larger than a frame can hold", Assert.Single(p.Errors), StringComparison.Ordinal);
        Assert.True(peakKb < 100 * 1024, $"peak RSS {peakKb / 1024} MB after {written} MB written");
    }
}

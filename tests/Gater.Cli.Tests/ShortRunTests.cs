using System.Text.Json;

namespace Gater.Cli.Tests;

/// <summary>Very short runs and early failures.</summary>
public sealed class ShortRunTests
{
    [Theory]
    [InlineData("1ms")]
    [InlineData("200ms")]
    public async Task A_short_demo_still_prints_its_summary(string duration)
    {
        var (code, output, err) = await GaterProcess.RunAsync(["demo", "--json", "--duration", duration]);
        Assert.True(code == 0, string.Join("\n", err));
        using var last = JsonDocument.Parse(output[^1]);
        Assert.True(last.RootElement.GetProperty("summary").GetBoolean());
        Assert.Equal(output.Length - 1, last.RootElement.GetProperty("verified").GetInt64() + last.RootElement.GetProperty("rejected").GetInt64());
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("tail")]
    public async Task A_zero_duration_is_refused(string command)
    {
        var (code, _, err) = await GaterProcess.RunAsync([command, "--duration", "0"]);
        Assert.Equal(2, code);
        Assert.Contains("'--duration' must be a duration above zero", Assert.Single(err), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_with_an_unreachable_redis_fails_before_measuring()
    {
        // with 60 s per measurement the local benchmarks alone would outlast the safety limit
        var (code, output, err) = await GaterProcess.RunAsync(["bench", "--seconds", "60", "--redis", "127.0.0.1:1,connectTimeout=500"], timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("unreachable", Assert.Single(err), StringComparison.Ordinal);
    }
}

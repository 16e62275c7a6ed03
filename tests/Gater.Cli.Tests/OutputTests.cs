using System.Text.Json;

namespace Gater.Cli.Tests;

/// <summary>Standard output that closes early or cannot be written.</summary>
public sealed class OutputTests
{
    [Fact]
    public async Task Demo_json_into_head_ends_when_head_is_done_with_exit_0()
    {
        // without the fix the demo runs its whole (ten-minute) duration into the closed pipe
        var (_, output, err) = await Shell.RunAsync("gater demo --json --duration 10m | head -n 1; echo \"gater_exit=${PIPESTATUS[0]}\" >&2", timeout: TimeSpan.FromSeconds(90));
        using var first = JsonDocument.Parse(Assert.Single(output));
        Assert.Contains("gater_exit=0", err);
        Assert.DoesNotContain(err, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tail_json_into_head_ends_when_head_is_done_with_exit_0()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        var env = new Dictionary<string, string?> { ["SECRET_KEY_BASE"] = "tail-head-secret-0123456789-abcdefghijklmnopqrstuvwxyz" };
        using var traffic = GaterProcess.Start(["demo", "--json", "--no-rogue", "--duration", "10m", "--redis", redis.ConnectionString, "--node-name", "traffic@test"], env);
        try
        {
            var (_, output, err) = await Shell.RunAsync(
                $"gater tail --json --instance ex_esdb_health --topic '*' --redis {redis.ConnectionString} | head -n 1; echo \"gater_exit=${{PIPESTATUS[0]}}\" >&2",
                env, TimeSpan.FromSeconds(90));
            using var first = JsonDocument.Parse(Assert.Single(output));
            Assert.Equal("ex_esdb_health", first.RootElement.GetProperty("instance").GetString());
            Assert.Contains("gater_exit=0", err);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task Output_to_a_file_shares_the_shell_s_offset()
    {
        // gater's output lands where the shell's file offset is, and the shell's next write goes after it
        var file = Path.GetTempFileName();
        try
        {
            var (code, _, err) = await Shell.RunAsync($"{{ echo first; gater keygen; gater --version; echo last; }} > '{file}'");
            Assert.True(code == 0, string.Join("\n", err));
            var lines = await File.ReadAllLinesAsync(file);
            Assert.Equal(4, lines.Length);
            Assert.Equal("first", lines[0]);
            Assert.Matches("^[A-Za-z0-9_-]{64}$", lines[1]);
            Assert.Equal("0.1.0", lines[2]);
            Assert.Equal("last", lines[3]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("keygen")]
    [InlineData("catalog")]
    [InlineData("catalog --json")]
    [InlineData("demo --json --duration 2s")]
    public async Task A_full_disk_is_one_plain_line_and_exit_1(string command)
    {
        var (_, _, err) = await Shell.RunAsync($"gater {command} > /dev/full; echo \"gater_exit=$?\" >&2", timeout: TimeSpan.FromSeconds(90));
        Assert.Equal("gater_exit=1", err[^1]);
        var failures = err.Where(l => !l.StartsWith("gater demo: no SECRET_KEY_BASE", StringComparison.Ordinal)).ToArray()[..^1];
        var line = Assert.Single(failures);
        Assert.StartsWith($"gater {command.Split(' ')[0]}: cannot write to standard output: ", line, StringComparison.Ordinal);
    }
}

namespace Gater.Cli.Tests;

/// <summary>gater run at a real terminal (tmux): it says what it waits for on stdin, and Ctrl+C stops it cleanly.</summary>
public sealed class TerminalTests
{
    [Theory]
    [InlineData("verify --instance ex_esdb_health --topic t", "reading one frame from stdin; Ctrl-D to end")]
    [InlineData("verify --lines --instance ex_esdb_health --topic t", "reading frames, one per line, from stdin; Ctrl-D to end")]
    [InlineData("sign --instance ex_esdb_health --topic t --type node_health_updated", "reading the payload JSON from stdin; Ctrl-D to end")]
    public async Task Reading_from_a_terminal_says_so_and_Ctrl_C_stops_it(string command, string prompt)
    {
        var env = new Dictionary<string, string> { ["SECRET_KEY_BASE"] = "terminal-secret-0123456789-abcdefghijklmnopqrstuvwxyz" };
        using var t = new Terminal(120, 10, $"dotnet '{GaterProcess.GaterDll}' {command}; echo gater_exit=$?; sleep 60", env);
        var screen = string.Join('\n', await t.WaitForScreenAsync(s => s.Any(l => l.Contains("Ctrl-D to end", StringComparison.Ordinal) || l.StartsWith("gater_exit=", StringComparison.Ordinal))));
        Assert.Contains(prompt, screen, StringComparison.Ordinal);
        Assert.DoesNotContain("gater_exit=", screen, StringComparison.Ordinal);

        t.SendKeys("C-c");
        screen = string.Join('\n', await t.WaitForScreenAsync(s => s.Any(l => l.StartsWith("gater_exit=", StringComparison.Ordinal))));
        Assert.Contains("gater_exit=0", screen, StringComparison.Ordinal);
    }
}

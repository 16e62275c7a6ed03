namespace Gater.Cli.Tests;

/// <summary>The command line itself: parse errors, help, completion, version.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "verify", "--instance", "ex_esdb_health", "--topic", "t", "--frobnicate" }, "gater verify: unknown option '--frobnicate'")]
    [InlineData(new[] { "verify", "--instance", "ex_esdb_health", "--topic", "t", "--frobnicate=1" }, "gater verify: unknown option '--frobnicate'")]
    [InlineData(new[] { "--frobnicate" }, "gater: unknown option '--frobnicate'")]
    [InlineData(new[] { "keygen", "extra" }, "gater keygen: unexpected argument 'extra'")]
    [InlineData(new[] { "verify", "--instance", "ex_esdb_health", "--topic" }, "gater verify: '--topic' needs a value: --topic T")]
    [InlineData(new[] { "sign", "--instance" }, "gater sign: '--instance' needs a value")]
    [InlineData(new[] { "sign", "--secret" }, "gater sign: '--secret' needs a value")]
    [InlineData(new[] { "demo", "--nodes", "0" }, "gater demo: '--nodes' must be a whole number from 1 to 50, not '0'")]
    [InlineData(new[] { "dashboard", "--port", "70000" }, "gater dashboard: '--port' must be a whole number from 0 to 65535, not '70000'")]
    [InlineData(new[] { "dashboard", "--bind", "example.org" }, "gater dashboard: '--bind' must be an IP address")]
    [InlineData(new[] { "dashboard", "--bind", "0.0.0.0", "--token", "short" }, "gater dashboard: '--token' must be at least 16 characters")]
    [InlineData(new[] { "demo", "--rate", "fast" }, "gater demo: '--rate' must be a number")]
    [InlineData(new[] { "demo", "--duration", "3q" }, "gater demo: '--duration' must be a duration")]
    [InlineData(new[] { "verify", "--instance", "ex_esdb_nope", "--topic", "t" }, "gater verify: 'ex_esdb_nope' is not an instance; one of: ex_esdb_system")]
    [InlineData(new[] { "verify", "--instance", "ex_esdb_health", "--topic", "t", "--now", "yesterday" }, "gater verify: '--now' must be a whole number")]
    [InlineData(new[] { "verify", "--instance", "ex_esdb_health", "--topic", "t", "--now", "253402300800000" }, "gater verify: '--now' must be a whole number from 0 to 253402300799999, not '253402300800000'")]
    [InlineData(new[] { "verify", "--instance", "ex_esdb_health", "--topic", "t", "--now", "9223372036854775807" }, "gater verify: '--now' must be a whole number from 0 to 253402300799999")]
    [InlineData(new[] { "verify", "--instance", "ex_esdb_health", "--topic", "a", "--topic", "b" }, "gater verify: '--topic' is given twice")]
    [InlineData(new[] { "demo", "--nodes", "1", "--nodes", "2" }, "gater demo: '--nodes' is given twice")]
    [InlineData(new[] { "catalog", "--json=yes" }, "gater catalog: unexpected argument 'yes'")]
    public async Task A_parse_error_is_exactly_one_plain_line_and_exit_2(string[] args, string expected)
    {
        var (code, output, err) = await GaterProcess.RunAsync(args, new Dictionary<string, string?>(), []);
        Assert.Equal(2, code);
        Assert.Empty(output);
        var line = Assert.Single(err);
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        // none of System.CommandLine's own wording or exception output
        foreach (var jargon in new[] { "Unrecognized", "Required argument", "Cannot parse", "System.", "   at ", "Exception" })
        {
            Assert.DoesNotContain(jargon, line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_long_bad_value_is_abbreviated()
    {
        var (code, _, err) = await GaterProcess.RunAsync(["verify", "--instance", new string('x', 5000), "--topic", "t"], new Dictionary<string, string?>(), []);
        Assert.Equal(2, code);
        var line = Assert.Single(err);
        Assert.True(line.Length < 400, line);
        Assert.Contains("(5000 characters)", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("demo", new[] { "--nodes N", "--duration D", "--rate R", "--json", "--no-rogue", "--redis CONN", "--prefix P", "--node-name NAME@HOST", "--beam NODE[,NODE…]", "--cookie C", "--sname NAME" })]
    [InlineData("dashboard", new[] { "--port P", "--bind ADDR", "--token T", "--nodes N", "--rate R", "--no-rogue", "--redis CONN", "--prefix P", "--beam NODE[,NODE…]", "--cookie C", "--sname NAME" })]
    [InlineData("tail", new[] { "--instance I", "--topic T", "--redis CONN", "--prefix P", "--beam NODE[,NODE…]", "--cookie C", "--sname NAME", "--json", "--count N", "--duration D", "--node-name NAME@HOST", "--durable", "--from POS", "--until POS", "--group G", "--secret S", "--key KID=S" })]
    [InlineData("publish", new[] { "--instance I", "--type Y", "--topic T", "--payload JSON", "--set NAME=VALUE", "--redis CONN", "--prefix P", "--beam NODE[,NODE…]", "--cookie C", "--sname NAME", "--dry-run", "--durable", "--node-name NAME@HOST", "--secret S", "--key KID=S" })]
    [InlineData("sign", new[] { "--instance I", "--topic T", "--type Y", "--id ID", "--node N", "--epoch E", "--seq S", "--ts MS", "--secret S", "--key KID=S" })]
    [InlineData("verify", new[] { "--instance I", "--topic T", "--now MS", "--max-age-ms N", "--allow-unsigned", "--lines", "--secret S", "--key KID=S" })]
    [InlineData("keygen", new string[0])]
    [InlineData("catalog", new[] { "--json" })]
    [InlineData("bench", new[] { "--json", "--seconds S", "--beam-baseline", "--beam", "--redis CONN", "--prefix P" })]
    public async Task Help_of_every_command_lists_every_option(string command, string[] options)
    {
        foreach (var help in new[] { "--help", "-h" })
        {
            var (code, output, err) = await GaterProcess.RunAsync([command, help]);
            Assert.Equal(0, code);
            Assert.Empty(err);
            Assert.StartsWith($"gater {command} — ", output[0], StringComparison.Ordinal);
            var listed = output.SkipWhile(l => l != "Options:").Skip(1).TakeWhile(l => l.StartsWith("  --", StringComparison.Ordinal))
                .Select(l => l.Trim().Split("  ")[0]).ToArray();
            Assert.Equal(options.Append("--help"), listed);
        }
    }

    [Fact]
    public async Task Help_wins_over_other_arguments_and_errors()
    {
        var (code, output, _) = await GaterProcess.RunAsync(["verify", "--bogus", "--help"]);
        Assert.Equal(0, code);
        Assert.StartsWith("gater verify — ", output[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_overview_names_every_command_and_tab_completion()
    {
        var (code, output, _) = await GaterProcess.RunAsync(["--help"]);
        Assert.Equal(0, code);
        foreach (var c in new[] { "demo", "dashboard", "tail", "publish", "sign", "verify", "keygen", "catalog", "bench" })
        {
            Assert.Contains(output, l => l.StartsWith("  " + c + " ", StringComparison.Ordinal));
        }
        Assert.Contains(output, l => l.Contains("[suggest]", StringComparison.Ordinal));
        var (bare, bareOut, _) = await GaterProcess.RunAsync([]);
        Assert.Equal(2, bare);
        Assert.Equal(output, bareOut);
    }

    [Fact]
    public async Task Tab_completion_answers_the_suggest_directive()
    {
        var (code, output, _) = await GaterProcess.RunAsync(["[suggest]", "ver"]);
        Assert.Equal(0, code);
        Assert.Contains("verify", output);
        const string line = "verify --instance ex_esdb_he";
        var (_, instances, _) = await GaterProcess.RunAsync([$"[suggest:{line.Length}]", line]);
        Assert.Contains("ex_esdb_health", instances);
    }

    [Fact]
    public async Task Version_is_the_package_version()
    {
        var (code, output, _) = await GaterProcess.RunAsync(["--version"]);
        Assert.Equal(0, code);
        Assert.Equal("0.1.0", Assert.Single(output));
    }
}

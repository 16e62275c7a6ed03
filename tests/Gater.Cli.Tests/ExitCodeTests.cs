namespace Gater.Cli.Tests;

/// <summary>0 ok, 1 runtime failure or rejected frame, 2 usage or configuration — with one plain line on stderr.</summary>
public sealed class ExitCodeTests
{
    private const string Secret = "exit-code-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private static readonly string LongTopic = new('t', 5000);

    public static TheoryData<string[], string?, string> UsageAndConfiguration() => new()
    {
        { ["verify", "--instance", "ex_esdb_health", "--topic", "t"], "x\n", "no secret configured" },
        { ["tail", "--instance", "ex_esdb_health", "--topic", "t", "--redis", "", "--secret", Secret], null, "'--redis' needs a connection string" },
        { ["tail", "--instance", "ex_esdb_health", "--topic", "t", "--redis", "a,b=,=", "--secret", Secret], null, "connection string is malformed" },
        { ["publish", "--instance", "ex_esdb_health", "--type", "node_health_updated", "--set", "node=a@h@h", "--set", "status=healthy", "--secret", Secret, "--dry-run"], null, "node" },
        { ["publish", "--instance", "ex_esdb_health", "--type", "node_health_updated", "--set", "node=a@h", "--set", "status=healthy", "--set", "load_avg=1e999", "--secret", Secret, "--dry-run"], null, "load_avg" },
        { ["publish", "--instance", "ex_esdb_health", "--type", "node_health_updated", "--set", "node=a@h", "--set", "status=sleepy", "--secret", Secret, "--dry-run"], null, "status" },
        { ["publish", "--instance", "ex_esdb_alerts", "--type", "system_alert", "--payload", "{\"a\":", "--secret", Secret, "--dry-run"], null, "--payload is not valid JSON" },
        { ["publish", "--instance", "ex_esdb_events", "--type", "x", "--topic", LongTopic, "--secret", Secret, "--dry-run"], null, "(5000 characters)" },
        { ["sign", "--instance", "ex_esdb_health", "--topic", "t", "--type", "node_health_updated", "--secret", Secret], "{x", "the payload is not valid JSON" },
        { ["sign", "--instance", "ex_esdb_health", "--topic", "t", "--type", "node_health_updated", "--secret", Secret], "[1]", "must be a JSON object" },
        { ["sign", "--instance", "ex_esdb_health", "--topic", "t", "--type", "node_health_updated", "--secret", Secret], "{\"node\":\"a@h\"}", "does not fit node_health_updated" },
        { ["sign", "--instance", "ex_esdb_events", "--topic", LongTopic, "--type", "x", "--secret", Secret], "{}", "(5000 characters)" },
        { ["sign", "--instance", "ex_esdb_health", "--topic", "t", "--type", "node_health_updated", "--secret", Secret], "{\"node\":\"a@h\",\"status\":\"healthy\",\"bogus\":1}", "the payload does not fit node_health_updated: there is no field 'bogus'" },
        { ["sign", "--instance", "ex_esdb_health", "--topic", "t", "--type", "node_health_updated", "--secret", Secret], "{\"status\":\"healthy\"}", "the payload does not fit node_health_updated: 'node' is missing (the factory needs node, status)" },
        { ["publish", "--instance", "ex_esdb_health", "--type", "node_health_updated", "--payload", "{\"node\":\"a@h\",\"status\":\"healthy\",\"bogus\":1}", "--secret", Secret, "--dry-run"], null, "there is no field 'bogus'" },
        { ["publish", "--instance", "ex_esdb_health", "--type", "node_health_updated", "--set", "status=healthy", "--secret", Secret, "--dry-run"], null, "'node' is missing (the factory needs node, status)" },
        { ["sign", "--instance", "ex_esdb_events", "--topic", "t", "--type", "x", "--id", "a b", "--secret", Secret], "{}", "is not a valid id (1-128 ASCII characters from 0x21 to 0x7E: no spaces" },
    };

    [Theory]
    [MemberData(nameof(UsageAndConfiguration))]
    public async Task Usage_and_configuration_errors_exit_2_with_one_plain_line(string[] args, string? stdin, string expected)
    {
        var (code, output, err) = await GaterProcess.RunAsync(args, new Dictionary<string, string?>(), stdin is null ? [] : System.Text.Encoding.UTF8.GetBytes(stdin));
        Assert.True(code == 2, $"exit {code}: {string.Join(" | ", output.Concat(err))}");
        var line = Assert.Single(err);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        AssertPlain(line);
    }

    [Fact]
    public async Task An_unreachable_redis_is_exit_1_without_the_client_library_advice()
    {
        var (code, _, err) = await GaterProcess.RunAsync(["tail", "--instance", "ex_esdb_health", "--topic", "*", "--redis", "127.0.0.1:1,connectTimeout=500", "--secret", Secret]);
        Assert.Equal(1, code);
        var line = Assert.Single(err);
        Assert.Contains("unreachable", line, StringComparison.Ordinal);
        AssertPlain(line);
    }

    private static void AssertPlain(string line)
    {
        foreach (var leak in new[] { "(Parameter '", "LineNumber:", "BytePositionInLine", "abortConnect", "   at ", "Exception" })
        {
            Assert.DoesNotContain(leak, line, StringComparison.Ordinal);
        }
        Assert.True(line.Length < 400, line);
    }
}

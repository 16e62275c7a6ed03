using System.Globalization;
using System.Text.Json;

namespace Gater.Cli.Tests;

/// <summary>gater tail --durable over a real redis-server: history from a position, group members, usage errors; the demo's durable list.</summary>
public sealed class DurableTailTests
{
    private const string Secret = "durable-tail-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private static readonly Dictionary<string, string?> WithSecret = new() { ["SECRET_KEY_BASE"] = Secret };

    private static string[] Tail(RedisServer redis, params string[] extra)
        => ["tail", "--json", "--instance", "ex_esdb_audit", "--topic", "*", "--redis", redis.ConnectionString, .. extra];

    /// <summary>Publishes one audit message durably; returns its message id and stream entry id.</summary>
    private static async Task<(string Id, string Entry)> PublishAuditAsync(RedisServer redis, int n)
    {
        var (code, output, err) = await GaterProcess.RunAsync(["publish", "--durable", "--redis", redis.ConnectionString, "--instance", "ex_esdb_audit",
            "--type", "admin_action", "--node-name", "auditor@test", "--set", $"admin_user_id=u{n}", "--set", "action_type=config_updated", "--set", "target_resource=cluster"], WithSecret);
        Assert.True(code == 0, string.Join("\n", err));
        var line = JsonDocument.Parse(Assert.Single(output)).RootElement;
        return (line.GetProperty("id").GetString()!, line.GetProperty("entry").GetString()!);
    }

    private static async Task WithRedisAsync(Func<RedisServer, Task> body)
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            await body(redis);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    private static JsonElement[] Lines(IEnumerable<string> output) => [.. output.Select(l => JsonDocument.Parse(l).RootElement)];

    private static async Task WaitFollowingAsync(GaterProcess p)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!p.Errors.Any(l => l.StartsWith("following", StringComparison.Ordinal)))
        {
            Assert.False(p.HasExited, string.Join(" | ", p.Errors));
            await Task.Delay(100, cts.Token);
        }
    }

    [Fact]
    public Task History_from_the_beginning_or_an_entry_until_now_prints_those_entries_and_exits_0() => WithRedisAsync(async redis =>
    {
            var published = new List<(string Id, string Entry)>();
            for (var i = 0; i < 5; i++)
            {
                published.Add(await PublishAuditAsync(redis, i));
            }
            var now = DateTimeOffset.UtcNow.AddSeconds(1).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

            var (code, output, err) = await GaterProcess.RunAsync(Tail(redis, "--durable", "--from", "beginning", "--until", now), WithSecret);
            Assert.True(code == 0, string.Join("\n", err));
            var lines = Lines(output);
            Assert.Equal(published.Select(p => p.Id), lines.Select(l => l.GetProperty("id").GetString()));
            Assert.Equal(published.Select(p => p.Entry), lines.Select(l => l.GetProperty("entry").GetString()));
            Assert.All(lines, l => Assert.False(l.GetProperty("redelivered").GetBoolean()));

            // from an entry id: that entry and the ones after it; until an entry id: up to and including it
            var (code2, output2, err2) = await GaterProcess.RunAsync(Tail(redis, "--durable", "--from", published[2].Entry, "--until", published[3].Entry), WithSecret);
            Assert.True(code2 == 0, string.Join("\n", err2));
            Assert.Equal([published[2].Entry, published[3].Entry], Lines(output2).Select(l => l.GetProperty("entry").GetString()));
    });

    [Fact]
    public Task A_group_member_acknowledges_what_it_printed_and_a_plain_durable_tail_takes_nothing_from_the_group() => WithRedisAsync(async redis =>
    {
            var before = await PublishAuditAsync(redis, 0);

            using (var first = GaterProcess.Start(Tail(redis, "--durable", "--group", "reviewers", "--count", "3"), WithSecret))
            using (var watcher = GaterProcess.Start(Tail(redis, "--durable", "--count", "3"), WithSecret))
            {
                await WaitFollowingAsync(first);
                await WaitFollowingAsync(watcher);
                var sent = new List<string>();
                for (var i = 1; i <= 3; i++)
                {
                    sent.Add((await PublishAuditAsync(redis, i)).Entry);
                }
                await first.WaitAsync(TimeSpan.FromSeconds(60));
                await watcher.WaitAsync(TimeSpan.FromSeconds(60));
                Assert.Equal(0, first.ExitCode);
                // a new group starts at the end: the entry appended before it is not the group's; the watcher reads from now
                Assert.Equal(sent, Lines(first.Output).Select(l => l.GetProperty("entry").GetString()));
                Assert.Equal(sent, Lines(watcher.Output).Select(l => l.GetProperty("entry").GetString()));
                Assert.DoesNotContain(before.Entry, Lines(watcher.Output).Select(l => l.GetProperty("entry").GetString()));
            }

            // the same member again: what the first run printed was acknowledged, so only newer entries come
            var later = new[] { (await PublishAuditAsync(redis, 4)).Entry, (await PublishAuditAsync(redis, 5)).Entry };
            var (code, output, err) = await GaterProcess.RunAsync(Tail(redis, "--durable", "--group", "reviewers", "--count", "2"), WithSecret);
            Assert.True(code == 0, string.Join("\n", err));
            var lines = Lines(output);
            Assert.Equal(later, lines.Select(l => l.GetProperty("entry").GetString()));
            Assert.All(lines, l => Assert.False(l.GetProperty("redelivered").GetBoolean()));
    });

    [Theory]
    [InlineData(new[] { "--durable", "--from", "yesterday" }, "'--from' takes 'beginning', an RFC 3339 time")]
    [InlineData(new[] { "--durable", "--from", "beginning", "--until", "12-" }, "'--until' takes 'beginning', an RFC 3339 time")]
    [InlineData(new[] { "--durable", "--until", "beginning" }, "'--until' ends a history read: add --from")]
    [InlineData(new[] { "--durable", "--from", "beginning", "--group", "g" }, "'--group' consumes new entries")]
    [InlineData(new[] { "--from", "beginning" }, "'--from' reads a durable stream: add --durable")]
    public async Task Bad_durable_positions_and_combinations_exit_2_before_connecting(string[] extra, string expected)
    {
        // port 1: nothing listens, so only a check made before connecting can answer with exit 2
        var (code, output, err) = await GaterProcess.RunAsync(["tail", "--instance", "ex_esdb_audit", "--topic", "*", "--redis", "127.0.0.1:1,connectTimeout=500", .. extra], WithSecret);
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains(expected, Assert.Single(err), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Durable_without_redis_is_a_usage_error()
    {
        var (code, _, err) = await GaterProcess.RunAsync(["tail", "--instance", "ex_esdb_audit", "--topic", "*", "--durable"], WithSecret);
        Assert.Equal(2, code);
        Assert.Contains("--durable reads the instance's Redis stream and needs --redis", Assert.Single(err), StringComparison.Ordinal);
    }

    [Fact]
    public Task Demo_over_redis_names_its_durable_instances_and_their_messages_carry_entry_ids() => WithRedisAsync(async redis =>
    {
            var (code, output, err) = await GaterProcess.RunAsync(["demo", "--json", "--no-rogue", "--duration", "3s", "--redis", redis.ConnectionString, "--node-name", "durable@test"], WithSecret);
            Assert.True(code == 0, string.Join("\n", err));
            var lines = Lines(output);
            string[] expected = ["ex_esdb_security", "ex_esdb_audit", "ex_esdb_alerts"];
            Assert.Equal(expected, lines[0].GetProperty("durable").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(expected, lines[^1].GetProperty("durable").EnumerateArray().Select(e => e.GetString()));
            var messages = lines.Where(l => l.TryGetProperty("ok", out var ok) && ok.GetBoolean()).ToArray();
            Assert.Contains(messages, m => m.GetProperty("instance").GetString() == "ex_esdb_audit");
            Assert.All(messages, m => Assert.Equal(expected.Contains(m.GetProperty("instance").GetString()), m.TryGetProperty("entry", out _)));

            // what the demo appended stays readable as history
            var now = DateTimeOffset.UtcNow.AddSeconds(1).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            var (hcode, history, herr) = await GaterProcess.RunAsync(Tail(redis, "--durable", "--from", "beginning", "--until", now), WithSecret);
            Assert.True(hcode == 0, string.Join("\n", herr));
            // every audit message the demo printed (it may stop before reading its very last appends)
            var kept = Lines(history).Select(l => l.GetProperty("id").GetString()).ToHashSet();
            Assert.All(messages.Where(m => m.GetProperty("instance").GetString() == "ex_esdb_audit"), m => Assert.Contains(m.GetProperty("id").GetString(), kept));
    });

    [Fact]
    public async Task The_embedded_demo_says_nothing_is_durable()
    {
        var (code, output, err) = await GaterProcess.RunAsync(["demo", "--json", "--no-rogue", "--duration", "1s"]);
        Assert.True(code == 0, string.Join("\n", err));
        Assert.Empty(JsonDocument.Parse(output[^1]).RootElement.GetProperty("durable").EnumerateArray());
        Assert.DoesNotContain(output, l => l.StartsWith("{\"durable\"", StringComparison.Ordinal));
    }
}

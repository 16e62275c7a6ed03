using System.Text;
using System.Text.Json;

namespace Gater.Cli.Tests;

public sealed class CliTests
{
    private const string Secret = "first-secret-key-base-0123456789-abcdefghijklmnopqrstuvwxyz-ABCD";
    private static readonly Dictionary<string, string?> WithSecret = new() { ["SECRET_KEY_BASE"] = Secret };

    private static JsonElement[] Vectors()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "spec", "test-vectors.json")));
        return doc.RootElement.GetProperty("vectors").EnumerateArray().Select(v => v.Clone()).ToArray();
    }

    [Fact]
    public async Task Verify_process_gives_the_vectors_expected_results()
    {
        // every single-frame vector given as text, plus the multi-frame ones through --lines
        var checkedCount = 0;
        foreach (var v in Vectors())
        {
            var frames = v.GetProperty("frames").EnumerateArray().ToArray();
            if (frames.Any(f => !f.TryGetProperty("frame", out _)))
            {
                continue;
            }
            var args = new List<string> { "verify", "--instance", v.GetProperty("instance").GetString()!, "--topic", v.GetProperty("topic").GetString()!, "--now", v.GetProperty("now_ms").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture) };
            foreach (var k in v.GetProperty("keys").EnumerateArray())
            {
                if (k.TryGetProperty("kid", out var kid))
                {
                    args.AddRange(["--key", kid.GetString() + "=" + k.GetProperty("secret").GetString()]);
                }
                else
                {
                    args.AddRange(["--secret", k.GetProperty("secret").GetString()!]);
                }
            }
            if (v.GetProperty("allow_unsigned").GetBoolean())
            {
                args.Add("--allow-unsigned");
            }
            if (frames.Length > 1)
            {
                args.Add("--lines");
            }
            var input = string.Join("\n", frames.Select(f => f.GetProperty("frame").GetString())) + "\n";
            if (!v.GetProperty("name").GetString()!.StartsWith("valid ", StringComparison.Ordinal) || checkedCount % 9 == 0)
            {
                var (code, output, err) = await GaterProcess.RunAsync(args, new Dictionary<string, string?>(), Encoding.UTF8.GetBytes(input));
                var expect = v.GetProperty("expect").EnumerateArray().Select(e => e.GetString()).ToArray();
                Assert.True(output.Length == expect.Length, $"{v.GetProperty("name")}: {string.Join("|", output)} {string.Join("|", err)}");
                for (var i = 0; i < expect.Length; i++)
                {
                    using var line = JsonDocument.Parse(output[i]);
                    var got = line.RootElement.GetProperty("ok").GetBoolean() ? "ok" : line.RootElement.GetProperty("reason").GetString();
                    Assert.True(expect[i] == got, $"{v.GetProperty("name")} frame {i}: expected {expect[i]}, got {got}");
                }
                // a receiver without keys answers each frame (no_secret_configured) and exits with a configuration error
                var unconfigured = v.GetProperty("keys").GetArrayLength() == 0 && !v.GetProperty("allow_unsigned").GetBoolean();
                Assert.Equal(unconfigured ? 2 : expect.All(e => e == "ok") ? 0 : 1, code);
            }
            checkedCount++;
        }
        Assert.True(checkedCount > 90);
    }

    [Fact]
    public async Task Frames_signed_by_gater_sign_verify_and_round_trip_for_every_type()
    {
        foreach (var v in Vectors().Where(v => v.GetProperty("name").GetString()!.StartsWith("valid ", StringComparison.Ordinal) && v.GetProperty("name").GetString()!.EndsWith("variant 1", StringComparison.Ordinal)))
        {
            var frame = v.GetProperty("frames")[0].GetProperty("frame").GetString()!;
            var body = JsonDocument.Parse(frame.Split('.', 4)[3]).RootElement;
            var instance = v.GetProperty("instance").GetString()!;
            var topic = v.GetProperty("topic").GetString()!;
            var type = body.GetProperty("type").GetString()!;
            var payload = body.GetProperty("payload").GetRawText();
            var (code, signed, err) = await GaterProcess.RunAsync(["sign", "--instance", instance, "--topic", topic, "--type", type, "--node", "signer@test", "--seq", "7"], WithSecret, Encoding.UTF8.GetBytes(payload));
            Assert.True(code == 0, string.Join("\n", err));
            var (vcode, verified, verr) = await GaterProcess.RunAsync(["verify", "--instance", instance, "--topic", topic], WithSecret, Encoding.UTF8.GetBytes(signed[0] + "\n"));
            Assert.True(vcode == 0, string.Join("\n", verified.Concat(verr)));
            var line = JsonDocument.Parse(verified[0]).RootElement;
            Assert.Equal(type, line.GetProperty("type").GetString());
            Assert.Equal("signer@test", line.GetProperty("node").GetString());
            Assert.Equal(7, line.GetProperty("seq").GetInt64());
            Assert.True(SamePayload(body.GetProperty("payload"), line.GetProperty("payload")), $"{type}: {payload} vs {line.GetProperty("payload")}");
        }
    }

    // Equal as the catalog reads them: instants compared as instants, numbers as numbers.
    private static bool SamePayload(JsonElement a, JsonElement b)
    {
        foreach (var p in a.EnumerateObject())
        {
            var other = b.GetProperty(p.Name);
            if (p.Value.ValueKind == JsonValueKind.String && ExEsdbGater.Json.Instant.TryParse(p.Value.GetString().AsSpan(), out var ia))
            {
                if (!ExEsdbGater.Json.Instant.TryParse(other.GetString().AsSpan(), out var ib) || ia != ib)
                {
                    return false;
                }
            }
            else if (p.Value.ValueKind == JsonValueKind.Number)
            {
                if (other.GetDouble() != p.Value.GetDouble())
                {
                    return false;
                }
            }
            else if (!JsonElement.DeepEquals(p.Value, other))
            {
                return false;
            }
        }
        return true;
    }

    [Fact]
    public async Task Catalog_json_matches_the_spec_copy()
    {
        var (code, output, _) = await GaterProcess.RunAsync(["catalog", "--json"]);
        Assert.Equal(0, code);
        using var impl = JsonDocument.Parse(string.Join("\n", output));
        using var spec = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "spec", "catalog.json")));
        var types = (JsonDocument d) => d.RootElement.GetProperty("instances").EnumerateArray().SelectMany(i => i.GetProperty("types").EnumerateArray())
            .Select(t => t.GetProperty("tag").GetString() + ":" + string.Join(",", t.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString() + "/" + f.GetProperty("kind").GetString() + "/" + f.GetProperty("required").GetBoolean())));
        Assert.Equal(types(spec), types(impl));
    }

    [Theory]
    [InlineData(new[] { "frobnicate" }, "unknown command")]
    [InlineData(new[] { "verify", "--instance", "ex_esdb_health", "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "verify", "--topic", "x" }, "needs --instance")]
    [InlineData(new[] { "verify", "--instance", "nope", "--topic", "x" }, "is not an instance")]
    [InlineData(new[] { "sign", "--instance", "ex_esdb_health", "--topic", "t:x", "--type", "node_health_updated", "--secret", "short" }, "at least 32 bytes")]
    [InlineData(new[] { "demo", "--redis", "127.0.0.1:1" }, "SECRET_KEY_BASE")]
    [InlineData(new[] { "demo", "--nodes", "zero" }, "--nodes' must be a whole number")]
    [InlineData(new[] { "tail", "--instance", "ex_esdb_health", "--topic", "*" }, "needs --redis")]
    public async Task User_mistakes_are_one_clear_line_and_exit_2(string[] args, string expected)
    {
        var (code, _, err) = await GaterProcess.RunAsync(args, new Dictionary<string, string?>(), []);
        Assert.Equal(2, code);
        var text = string.Join("\n", err);
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.Single(err);
    }

    [Fact]
    public async Task An_unreachable_redis_is_one_line_and_exit_1()
    {
        var (code, _, err) = await GaterProcess.RunAsync(["tail", "--instance", "ex_esdb_health", "--topic", "*", "--redis", "127.0.0.1:1,connectTimeout=1000"], WithSecret, []);
        Assert.Equal(1, code);
        Assert.Contains("unreachable", Assert.Single(err), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("demo")]
    [InlineData("dashboard")]
    [InlineData("tail")]
    [InlineData("publish")]
    [InlineData("sign")]
    [InlineData("verify")]
    [InlineData("keygen")]
    [InlineData("catalog")]
    [InlineData("bench")]
    public async Task Every_command_has_help(string command)
    {
        var (code, output, _) = await GaterProcess.RunAsync([command, "--help"]);
        Assert.Equal(0, code);
        Assert.StartsWith($"gater {command} — ", output[0], StringComparison.Ordinal);
        Assert.Contains(output, l => l.StartsWith("Usage: gater " + command, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keygen_prints_a_64_character_base64url_secret()
    {
        var (code, output, _) = await GaterProcess.RunAsync(["keygen"]);
        Assert.Equal(0, code);
        Assert.Matches("^[A-Za-z0-9_-]{64}$", Assert.Single(output));
    }

    [Fact]
    public async Task Publish_builds_through_the_factory_with_defaults()
    {
        var (code, output, err) = await GaterProcess.RunAsync(["publish", "--instance", "ex_esdb_alerts", "--type", "system_alert", "--node-name", "pub@test",
            "--set", "severity=critical", "--set", "category=system", "--set", "title=Disk full", "--set", "description=/var at 99%", "--set", "source=disk_monitor", "--dry-run"], WithSecret);
        Assert.True(code == 0, string.Join("\n", err));
        var line = JsonDocument.Parse(Assert.Single(output)).RootElement;
        var payload = line.GetProperty("payload");
        Assert.Equal("critical", payload.GetProperty("severity").GetString());
        Assert.True(payload.GetProperty("requires_ack").GetBoolean());
        Assert.Matches("^[0-9a-f]{16}$", payload.GetProperty("alert_id").GetString());
        Assert.Equal("pub@test", payload.GetProperty("node").GetString());
        Assert.Equal("cluster:alerts", line.GetProperty("topic").GetString());
        Assert.False(line.GetProperty("sent").GetBoolean());
        var (missing, _, merr) = await GaterProcess.RunAsync(["publish", "--instance", "ex_esdb_alerts", "--type", "system_alert", "--set", "severity=critical", "--dry-run"], WithSecret);
        Assert.Equal(2, missing);
        Assert.Contains("category", Assert.Single(merr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_json_mode_shows_every_instance_and_every_rogue_rejection()
    {
        var (code, output, err) = await GaterProcess.RunAsync(["demo", "--json", "--duration", "12s", "--rate", "40"], new Dictionary<string, string?>(), [], TimeSpan.FromSeconds(90));
        Assert.True(code == 0, string.Join("\n", err));
        Assert.Contains(err, l => l.Contains("ephemeral cluster secret", StringComparison.Ordinal));
        var lines = output.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var summary = lines[^1];
        Assert.True(summary.GetProperty("summary").GetBoolean());
        var messages = lines[..^1].Where(l => l.GetProperty("ok").GetBoolean()).ToArray();
        var instances = messages.Select(m => m.GetProperty("instance").GetString()).ToHashSet();
        Assert.Equal(10, instances.Count);
        var types = messages.Select(m => m.GetProperty("type").GetString()).ToHashSet();
        Assert.True(types.Count >= 36, "types seen: " + types.Count);
        var reasons = lines[..^1].Where(l => !l.GetProperty("ok").GetBoolean()).Select(l => l.GetProperty("reason").GetString()).ToHashSet();
        foreach (var r in new[] { "invalid_signature", "unknown_key", "replayed", "topic_mismatch", "expired", "unsecured_message_rejected", "invalid_format" })
        {
            Assert.Contains(r, reasons);
        }
        Assert.Equal(messages.Length, summary.GetProperty("verified").GetInt64());
        // a replayed frame is a real node's frame: the line says whose
        Assert.Contains(lines[..^1], l => l.TryGetProperty("reason", out var r) && r.GetString() == "replayed" && l.TryGetProperty("node", out var n) && n.GetString()!.Contains('@', StringComparison.Ordinal));
        // every message line has the verify format
        Assert.All(messages, m => Assert.True(m.TryGetProperty("payload", out _) && m.TryGetProperty("seq", out _)));
    }
}

public sealed class IndependentImplementationTests
{
    private const string Secret = "independent-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    [Fact]
    public async Task Frames_from_gater_sign_are_accepted_by_an_independent_reading_of_the_spec()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "spec", "test-vectors.json")));
        var valid = doc.RootElement.GetProperty("vectors").EnumerateArray()
            .Where(v => v.GetProperty("name").GetString()!.StartsWith("valid ", StringComparison.Ordinal) && v.GetProperty("name").GetString()!.EndsWith("variant 0", StringComparison.Ordinal))
            .ToArray();
        Assert.Equal(36, valid.Length);
        foreach (var v in valid)
        {
            // the independent reader accepts the spec's own frames…
            var specFrame = v.GetProperty("frames")[0].GetProperty("frame").GetString()!;
            var specSecret = v.GetProperty("keys")[0].GetProperty("secret").GetString()!;
            Assert.Equal("ok", IndependentVerifier.Verify(specFrame, specSecret, v.GetProperty("instance").GetString()!, v.GetProperty("topic").GetString()!, v.GetProperty("now_ms").GetInt64()));
            // …and the frames gater signs
            var body = JsonDocument.Parse(specFrame.Split('.', 4)[3]).RootElement;
            var (code, output, err) = await GaterProcess.RunAsync(
                ["sign", "--instance", v.GetProperty("instance").GetString()!, "--topic", "orders:x", "--type", body.GetProperty("type").GetString()!, "--secret", Secret],
                new Dictionary<string, string?>(), Encoding.UTF8.GetBytes(body.GetProperty("payload").GetRawText()));
            Assert.True(code == 0, string.Join("\n", err));
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Assert.Equal("ok", IndependentVerifier.Verify(output[0], Secret, v.GetProperty("instance").GetString()!, "orders:x", now));
            Assert.Equal("invalid_signature", IndependentVerifier.Verify(output[0].Replace("\"orders:x\"", "\"orders:y\"", StringComparison.Ordinal), Secret, v.GetProperty("instance").GetString()!, "orders:y", now));
        }
    }
}

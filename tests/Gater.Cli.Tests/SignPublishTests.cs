using System.Text;
using System.Text.Json;

namespace Gater.Cli.Tests;

/// <summary>sign and publish take the same payloads (factory arguments, the rest defaulted) through one library path.</summary>
public sealed class SignPublishTests
{
    private const string Secret = "sign-publish-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private static readonly Dictionary<string, string?> WithSecret = new() { ["SECRET_KEY_BASE"] = Secret };
    private const string MinimalHealth = """{"node":"a@h","status":"healthy"}""";
    private const string MinimalAlert = """{"severity":"critical","category":"system","title":"Disk full","description":"/var at 99%","source":"disk_monitor"}""";

    private static async Task<JsonElement> SignAndVerifyAsync(string instance, string type, string payload, Dictionary<string, string?>? env = null, params string[] extra)
    {
        var (code, signed, err) = await GaterProcess.RunAsync(["sign", "--instance", instance, "--topic", "t:x", "--type", type, .. extra], env ?? WithSecret, Encoding.UTF8.GetBytes(payload));
        Assert.True(code == 0, string.Join("\n", err));
        var ts = Array.IndexOf(extra, "--ts");
        string[] now = ts >= 0 ? ["--now", extra[ts + 1]] : [];
        var (vcode, verified, verr) = await GaterProcess.RunAsync(["verify", "--instance", instance, "--topic", "t:x", .. now], WithSecret, Encoding.UTF8.GetBytes(Assert.Single(signed) + "\n"));
        Assert.True(vcode == 0, string.Join("\n", verified.Concat(verr)));
        return JsonDocument.Parse(Assert.Single(verified)).RootElement.GetProperty("payload").Clone();
    }

    private static async Task<JsonElement> DryRunAsync(string instance, string type, string payload, params string[] extra)
    {
        var (code, output, err) = await GaterProcess.RunAsync(["publish", "--dry-run", "--instance", instance, "--type", type, "--payload", payload, .. extra], WithSecret);
        Assert.True(code == 0, string.Join("\n", err));
        return JsonDocument.Parse(Assert.Single(output)).RootElement.GetProperty("payload").Clone();
    }

    // the fields that differ by time or chance between two builds
    private static Dictionary<string, string> Stable(JsonElement payload)
        => payload.EnumerateObject().Where(p => p.Name is not ("timestamp" or "alert_id")).ToDictionary(p => p.Name, p => p.Value.GetRawText());

    [Theory]
    [InlineData("ex_esdb_health", "node_health_updated", MinimalHealth)]
    [InlineData("ex_esdb_alerts", "system_alert", MinimalAlert)]
    public async Task A_minimal_payload_signs_verifies_and_matches_publish(string instance, string type, string payload)
    {
        var signed = await SignAndVerifyAsync(instance, type, payload, null, "--node", "same@host");
        var published = await DryRunAsync(instance, type, payload, "--node-name", "same@host");
        Assert.Equal(Stable(published), Stable(signed));
        Assert.True(signed.TryGetProperty("timestamp", out _));
    }

    [Fact]
    public async Task Sign_defaults_the_payload_like_the_factory()
    {
        var payload = await SignAndVerifyAsync("ex_esdb_health", "node_health_updated", MinimalHealth, null, "--ts", "1700000000000");
        Assert.Equal("a@h", payload.GetProperty("node").GetString());
        Assert.Equal(JsonValueKind.Object, payload.GetProperty("checks").ValueKind);
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("load_avg").ValueKind);
        // --ts is the issue time of the frame and of the payload
        Assert.Equal("2023-11-14T22:13:20.000Z", payload.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task Sign_node_defaults_name_the_signing_node()
    {
        var payload = await SignAndVerifyAsync("ex_esdb_alerts", "system_alert", MinimalAlert, null, "--node", "signer@host");
        Assert.Equal("signer@host", payload.GetProperty("node").GetString());
    }

    [Fact]
    public async Task A_bad_EXG_NODE_NAME_does_not_matter_where_the_node_is_given()
    {
        var env = new Dictionary<string, string?>(WithSecret) { ["EXG_NODE_NAME"] = "bad name" };
        var payload = await SignAndVerifyAsync("ex_esdb_alerts", "system_alert", MinimalAlert, env, "--node", "given@host");
        Assert.Equal("given@host", payload.GetProperty("node").GetString());
        var (code, output, err) = await GaterProcess.RunAsync(["publish", "--dry-run", "--instance", "ex_esdb_alerts", "--type", "system_alert", "--payload", MinimalAlert, "--node-name", "given@host"], env);
        Assert.True(code == 0, string.Join("\n", err));
        Assert.Equal("given@host", JsonDocument.Parse(Assert.Single(output)).RootElement.GetProperty("payload").GetProperty("node").GetString());
        // where it is needed, it is a configuration error naming the variable
        (code, _, err) = await GaterProcess.RunAsync(["publish", "--dry-run", "--instance", "ex_esdb_alerts", "--type", "system_alert", "--payload", MinimalAlert], env);
        Assert.Equal(2, code);
        Assert.Contains("EXG_NODE_NAME", Assert.Single(err), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_set_values_are_text_for_text_fields_and_json_otherwise()
    {
        var (code, output, err) = await GaterProcess.RunAsync(
            ["publish", "--dry-run", "--instance", "ex_esdb_system", "--type", "system_lifecycle_event", "--set", "event=started", "--set", "system_name=store", "--set", "version=1.0", "--node-name", "a@h"], WithSecret);
        Assert.True(code == 0, string.Join("\n", err));
        Assert.Equal("1.0", JsonDocument.Parse(Assert.Single(output)).RootElement.GetProperty("payload").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Catalog_text_maps_instances_to_modules_and_shows_kinds_and_enum_values()
    {
        var (code, output, _) = await GaterProcess.RunAsync(["catalog"]);
        Assert.Equal(0, code);
        Assert.Contains("ex_esdb_alerts → AlertMessages", output);
        Assert.Contains("ex_esdb_health → HealthMessages", output);
        Assert.Contains(output, l => l.Contains("system_alert", StringComparison.Ordinal) && l.Contains("AlertMessages.SystemAlert(severity, category, title, description, source)", StringComparison.Ordinal));
        var status = Assert.Single(output, l => l.TrimStart().StartsWith("status ", StringComparison.Ordinal) && l.Contains("healthy | degraded | unhealthy | unknown", StringComparison.Ordinal));
        Assert.Matches(@"status\s+enum\s+required\s+argument", status);
        Assert.Contains(output, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+load_avg\s+number\s+optional\s+default$"));
    }
}

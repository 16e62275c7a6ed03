using System.Text.Json;
using ExEsdbGater;

namespace ExEsdbGater.Tests.Catalog;

/// <summary>MessageCatalog.Create: the one path from fields by wire name to a message, through its factory.</summary>
public sealed class CreateTests
{
    public static TheoryData<string> TypeNames() => Samples.TypeNames();

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private static GaterMessage Create(GaterInstance instance, string tag, string json) => MessageCatalog.Create(instance, tag, Json(json), Samples.Context());

    [Fact]
    public void A_minimal_payload_is_the_factory_call_with_every_default()
    {
        var created = Create(GaterInstance.Health, "node_health_updated", """{"node":"a@h","status":"healthy"}""");
        Assert.Equal(HealthMessages.NodeHealth("a@h", NodeHealthStatus.Healthy, messageContext: Samples.Context()), created);
        var alert = (SystemAlert)Create(GaterInstance.Alerts, "system_alert", """{"severity":"critical","category":"system","title":"t","description":"d","source":"s","alert_id":"x1"}""");
        Assert.Equal(AlertMessages.SystemAlert(AlertSeverity.Critical, AlertCategory.System, "t", "d", "s", alertId: "x1", messageContext: Samples.Context()), alert);
        Assert.True(alert.RequiresAck);
        Assert.Equal(Samples.Self, alert.Node);
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void A_full_wire_payload_builds_the_same_message(string typeName)
    {
        var t = Samples.Type(typeName);
        var message = Samples.Build(t);
        var json = JsonSerializer.SerializeToElement(message, t.JsonTypeInfo);
        Assert.Equal(message, t.Create(json, Samples.Context()));
    }

    [Fact]
    public void Options_and_computed_fields_as_given_and_explicit_nulls_kept()
    {
        var alert = (SystemAlert)Create(GaterInstance.Alerts, "system_alert",
            """{"severity":"info","category":"system","title":"t","description":"d","source":"s","metadata":null,"requires_ack":true,"node":"n@h","timestamp":"2020-01-02T03:04:05.678Z"}""");
        Assert.Null(alert.Metadata);
        Assert.True(alert.RequiresAck);
        Assert.Equal("n@h", alert.Node);
        Assert.Equal(new DateTimeOffset(2020, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), alert.Timestamp);
        var rate = (ThroughputMetric)Create(GaterInstance.Metrics, "throughput_metric", """{"operation":"w","count":10,"duration_ms":2000}""");
        Assert.Equal(5.0, rate.RatePerSec);
    }

    [Fact]
    public void Given_values_are_used_without_running_the_rules_they_replace()
    {
        var rate = (ThroughputMetric)Create(GaterInstance.Metrics, "throughput_metric", """{"operation":"w","count":10,"duration_ms":0,"rate_per_sec":null}""");
        Assert.Null(rate.RatePerSec);
        var summary = (LogSummary)Create(GaterInstance.Logging, "log_summary", """{"time_period":"1h","log_counts":{"disk":"x"},"total_logs":null,"nodes_reporting":null}""");
        Assert.Null(summary.TotalLogs);
        Assert.Null(summary.NodesReporting);
        Assert.Equal(0, summary.DefaultedNodeFields & 1);
    }

    [Theory]
    [InlineData("""{"node":"a@h","status":"healthy","bogus":1}""", "bogus", "there is no field 'bogus'")]
    [InlineData("""{"node":"a@h"}""", "status", "'status' is missing (the factory needs node, status)")]
    [InlineData("""{"node":"a@h","status":null}""", "status", "'status' must not be null")]
    [InlineData("""{"node":"a@h","status":"sleepy"}""", "status", "'status' must be one of healthy, degraded, unhealthy, unknown, not 'sleepy'")]
    [InlineData("""{"node":"a@h","status":"healthy","load_avg":"high"}""", "load_avg", "'load_avg' must be a finite number, not 'high'")]
    [InlineData("""{"node":"a@h","status":"healthy","checks":[]}""", "checks", "'checks' must be a JSON object, not a list")]
    [InlineData("""{"node":"a@h","status":"healthy","timestamp":"yesterday"}""", "timestamp", "'timestamp' must be an RFC 3339 instant")]
    [InlineData("""{"node":"a@h","status":"healthy","timestamp":null}""", "timestamp", "'timestamp' must not be null (leave it out for its default)")]
    [InlineData("""{"node":"a@h@h","status":"healthy"}""", "node", "'node' is not a valid node name")]
    [InlineData("""{"node":"a@h","node":"b@h","status":"healthy"}""", "node", "'node' is given twice")]
    [InlineData("""[1]""", null, "the arguments must be a JSON object, not a list")]
    public void Bad_arguments_are_one_plain_line_naming_the_field(string json, string? field, string expected)
    {
        var ex = Assert.Throws<MessageArgumentException>(() => Create(GaterInstance.Health, "node_health_updated", json));
        Assert.Equal(field, ex.Field);
        Assert.Equal("node_health_updated", ex.Tag);
        Assert.StartsWith("node_health_updated: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integers_are_wire_integers()
    {
        Assert.Equal("count", Assert.Throws<MessageArgumentException>(() => Create(GaterInstance.Metrics, "throughput_metric", """{"operation":"w","count":1.0,"duration_ms":2000}""")).Field);
        Assert.Equal("count", Assert.Throws<MessageArgumentException>(() => Create(GaterInstance.Metrics, "throughput_metric", """{"operation":"w","count":1e3,"duration_ms":2000}""")).Field);
    }

    [Fact]
    public void A_factory_rule_that_refuses_is_a_plain_line_too()
    {
        var ex = Assert.Throws<MessageArgumentException>(() => Create(GaterInstance.Metrics, "throughput_metric", """{"operation":"w","count":10,"duration_ms":0}"""));
        Assert.Equal("throughput_metric: duration_ms must be positive to compute rate_per_sec.", ex.Message);
    }

    [Fact]
    public void Unknown_tags_and_application_events()
    {
        var ex = Assert.Throws<MessageArgumentException>(() => Create(GaterInstance.Health, "nope", "{}"));
        Assert.Contains("not a type of ex_esdb_health (one of: node_health_updated", ex.Message, StringComparison.Ordinal);
        var ev = Assert.IsType<ApplicationEvent>(Create(GaterInstance.Events, "order_placed", """{"order":42}"""));
        Assert.Equal("order_placed", ev.Type);
        Assert.Equal(42, ev.Payload.Element.GetProperty("order").GetInt32());
        Assert.Throws<MessageArgumentException>(() => Create(GaterInstance.Events, "Bad Type", "{}"));
        Assert.Throws<MessageArgumentException>(() => Create(GaterInstance.Events, "x", "[]"));
    }

    [Fact]
    public async Task Without_a_context_the_node_defaults_bind_to_the_publishing_bus()
    {
        await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = "pub@host", Keys = KeyRing.Of(GaterKey.FromSecret("create-secret-0123456789-abcdefghijklmnopqrstuvwxyz")) });
        var alert = MessageCatalog.Create(GaterInstance.Alerts, "system_alert", Json("""{"severity":"info","category":"system","title":"t","description":"d","source":"s"}"""));
        Assert.Equal("pub@host", ((SystemAlert)(await bus.BroadcastAsync("a", alert)).Message!).Node);
        var given = MessageCatalog.Create(GaterInstance.Alerts, "system_alert", Json("""{"severity":"info","category":"system","title":"t","description":"d","source":"s","node":"mine@host"}"""));
        Assert.Equal("mine@host", ((SystemAlert)(await bus.BroadcastAsync("a", given)).Message!).Node);
    }
}

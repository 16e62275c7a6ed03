using System.Text;
using System.Text.Json;
using ExEsdbGater;

namespace ExEsdbGater.Tests.Catalog;

public sealed class JsonRoundTripTests
{
    public static TheoryData<string> TypeNames() => Samples.TypeNames();

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Every_type_round_trips_through_its_json(string typeName)
    {
        var t = Samples.Type(typeName);
        var message = Samples.Build(t);
        var json = JsonSerializer.SerializeToUtf8Bytes(message, t.JsonTypeInfo);
        var back = JsonSerializer.Deserialize(json, t.JsonTypeInfo);
        Assert.Equal(message, back);
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Json_has_every_catalog_field_in_order_with_wire_values(string typeName)
    {
        var t = Samples.Type(typeName);
        var json = JsonSerializer.SerializeToElement(Samples.Build(t), t.JsonTypeInfo);
        Assert.Equal(t.Fields.Select(f => f.Name), json.EnumerateObject().Select(p => p.Name));
        foreach (var f in t.Fields)
        {
            var v = json.GetProperty(f.Name);
            switch (f.Kind)
            {
                case FieldKind.Instant when v.ValueKind != JsonValueKind.Null:
                    Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", v.GetString());
                    break;
                case FieldKind.Enum when v.ValueKind != JsonValueKind.Null:
                    Assert.Contains(v.GetString(), f.Values);
                    break;
                case FieldKind.Integer when v.ValueKind != JsonValueKind.Null:
                    Assert.DoesNotContain(".", v.GetRawText(), StringComparison.Ordinal);
                    break;
            }
        }
    }

    [Fact]
    public void Unset_options_are_written_as_null()
    {
        var json = JsonSerializer.SerializeToElement(Samples.Build(Samples.Type("NodeHealth")), Samples.Type("NodeHealth").JsonTypeInfo);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("load_avg").ValueKind);
    }

    [Fact]
    public void Enum_wire_names_are_exact_and_case_sensitive()
    {
        Assert.Equal("p50", WireEnum<LatencyPercentile>.Name(LatencyPercentile.P50));
        Assert.Equal("level3", WireEnum<EscalationLevel>.Name(EscalationLevel.Level3));
        Assert.Equal("io_analysis", WireEnum<AnalysisType>.Name(AnalysisType.IoAnalysis));
        Assert.Equal("login_success", WireEnum<AuthEventType>.Name(AuthEventType.LoginSuccess));
        Assert.False(WireEnum<NodeHealthStatus>.TryParse("Healthy", out _));
        var t = Samples.Type("NodeHealth");
        var bad = Encoding.UTF8.GetBytes("""{"node":"n@h","status":"Healthy","checks":{},"load_avg":null,"memory_usage":null,"disk_usage":null,"timestamp":"2026-11-27T04:00:00.123Z"}""");
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(bad, t.JsonTypeInfo));
    }
}

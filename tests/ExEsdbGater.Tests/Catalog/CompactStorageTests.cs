using System.Text.Json;
using System.Text.Json.Nodes;
using ExEsdbGater;
using ExEsdbGater.Tests.Frames;

namespace ExEsdbGater.Tests.Catalog;

// How a received message is stored in fewer bytes (maps as bytes until looked into, optional numbers with one
// presence mask, one shared provenance per exg1 envelope) must not change what anyone can observe.
public sealed class CompactStorageTests
{
    private static readonly GaterKey Key = GaterKey.FromSecret(FrameTestKit.Secret);
    private static readonly KeyRing Ring = KeyRing.Of(Key);

    public static TheoryData<string, string> OptionalNumbers()
    {
        var data = new TheoryData<string, string>();
        foreach (var t in MessageCatalog.Types)
        {
            foreach (var f in t.Fields.Where(f => !f.Required && f.Kind is FieldKind.Integer or FieldKind.Number))
            {
                data.Add(t.Name, f.Name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OptionalNumbers))]
    public void An_optional_number_keeps_absent_zero_and_a_value_apart(string typeName, string fieldName)
    {
        var t = Samples.Type(typeName);
        var field = t.Fields.Single(f => f.Name == fieldName);
        var json = JsonSerializer.SerializeToNode(Samples.Build(t), t.JsonTypeInfo)!.AsObject();
        GaterMessage With(JsonNode? value)
        {
            var copy = json.DeepClone().AsObject();
            copy[fieldName] = value;
            return (GaterMessage)copy.Deserialize(t.JsonTypeInfo)!;
        }

        var absent = With(null);
        var zero = With(0);
        var seven = With(7);
        Assert.Null(field.GetValue(absent));
        Assert.Equal(0.0, Convert.ToDouble(field.GetValue(zero), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(7.0, Convert.ToDouble(field.GetValue(seven), System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotEqual(absent, zero);
        Assert.NotEqual(zero, seven);
        Assert.Equal(absent, With(null));
        Assert.Equal(seven, With(7));
        Assert.Equal(seven.GetHashCode(), With(7).GetHashCode());

        // and each survives a signed frame, and the payload says what the property says
        foreach (var m in new[] { absent, zero, seven })
        {
            var result = FrameTestKit.Verifier(Ring).Verify(FrameEncoder.Encode(Ring, FrameTestKit.EnvelopeFor(m, "compact:t"), m), t.Instance, "compact:t");
            Assert.True(result.IsOk, result.Detail);
            Assert.Equal(m, result.Message);
            Assert.Equal(field.GetValue(m), field.GetValue(result.Message!));
        }
    }

    [Fact]
    public void Setting_an_optional_number_in_a_with_sets_or_clears_only_that_one()
    {
        var m = HealthMessages.NodeHealth("n1@host", NodeHealthStatus.Healthy, loadAvg: 0.5, memoryUsage: 60, diskUsage: 70, messageContext: Samples.Context());
        var cleared = m with { MemoryUsage = null };
        Assert.Equal((0.5, (double?)null, 70.0), (cleared.LoadAvg!.Value, cleared.MemoryUsage, cleared.DiskUsage!.Value));
        var set = cleared with { MemoryUsage = 0 };
        Assert.Equal(0.0, set.MemoryUsage);
        Assert.NotEqual(cleared, set);
        Assert.Equal(m, set with { MemoryUsage = 60 });
        Assert.Contains("MemoryUsage = ,", cleared.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_received_map_reads_the_same_from_many_threads_at_once()
    {
        var message = HealthMessages.NodeHealth("n1@host", NodeHealthStatus.Healthy,
            checks: JsonMap.Of(("disk", "ok"), ("raft", new Dictionary<string, object?> { ["leader"] = true })), messageContext: Samples.Context());
        var frame = FrameEncoder.Encode(Ring, FrameTestKit.EnvelopeFor(message, "cluster:health"), message);
        for (var round = 0; round < 200; round++)
        {
            // a fresh verifier each round: a fresh, unparsed map that every thread asks for first at once
            var checks = ((NodeHealth)FrameTestKit.Verifier(Ring).Verify(frame, GaterInstance.Health, "cluster:health").Message!).Checks!;
            using var start = new Barrier(4);
            var seen = Enumerable.Range(0, 4).Select(i => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                return i % 2 == 0
                    ? $"{checks.Count} {checks["disk"].GetString()} {checks["raft"].GetProperty("leader").GetBoolean()}"
                    : $"{checks.Element.EnumerateObject().Count()} {checks.Element.GetProperty("disk").GetString()} {checks.Element.GetProperty("raft").GetProperty("leader").GetBoolean()}";
            }, TaskCreationOptions.LongRunning)).ToArray();
            Assert.All(await Task.WhenAll(seen), s => Assert.Equal("2 ok True", s));
            Assert.Equal(message.Checks, checks);
            Assert.Equal("""{"disk":"ok","raft":{"leader":true}}""", checks.ToString());
        }
    }

    [Fact]
    public void A_map_or_value_from_a_lenient_document_keeps_its_text_and_reads()
    {
        const string Text = """{"a": 1, /* why */ "b": [2, 3,],}""";
        using var doc = JsonDocument.Parse(Text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var map = JsonMap.FromElement(doc.RootElement);
        var any = JsonAny.FromElement(doc.RootElement.GetProperty("b"));
        doc.Dispose();
        Assert.Equal(Text, map.ToString());
        Assert.Equal(2, map.Count);
        Assert.Equal(3, map["b"][1].GetInt32());
        Assert.Equal(JsonMap.Parse("""{"a":1,"b":[2,3]}"""), map);
        Assert.Equal(2, any.Element.GetArrayLength());
        Assert.Equal(JsonAny.Parse("[2,3]"), any);
    }

    [Fact]
    public void An_envelopes_origin_verification_and_sender_flag_are_its_own()
    {
        var exg1 = new Envelope(GaterInstance.Health, "t", "node_health_updated", "id1", "n1@host", 1, 2, 3);
        Assert.Equal((Envelope.Exg1Origin, (string?)null, false), (exg1.Origin, exg1.Verification, exg1.NodeFromSender));

        var linked = exg1 with { Origin = "beam", Verification = "otp25", NodeFromSender = true };
        Assert.Equal(("beam", "otp25", true), (linked.Origin, linked.Verification, linked.NodeFromSender));
        Assert.Equal((Envelope.Exg1Origin, (string?)null, false), (exg1.Origin, exg1.Verification, exg1.NodeFromSender));
        Assert.NotEqual(exg1, linked);
        Assert.NotEqual(exg1, exg1 with { NodeFromSender = true });
        Assert.NotEqual(exg1, exg1 with { Verification = "otp25" });
        Assert.Equal(linked, exg1 with { NodeFromSender = true, Verification = "otp25", Origin = "beam" });
        Assert.Equal(linked.GetHashCode(), (exg1 with { Origin = "beam", Verification = "otp25", NodeFromSender = true }).GetHashCode());
        Assert.Equal(exg1, linked with { Origin = Envelope.Exg1Origin, Verification = null, NodeFromSender = false });
        Assert.Contains("Origin = beam, Verification = otp25, NodeFromSender = True", linked.ToString(), StringComparison.Ordinal);
    }
}

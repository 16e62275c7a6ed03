using System.Text.Json;
using System.Text.Json.Nodes;
using ExEsdbGater;
using ExEsdbGater.Frames;
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
    [Fact]
    public void Ids_of_this_librarys_form_are_kept_compact_and_read_back_exactly()
    {
        for (var i = 0; i < 2000; i++)
        {
            var id = ElixirCompat.GenerateMessageId();
            Assert.True(CompactMessageId.TryParse(System.Text.Encoding.ASCII.GetBytes(id), out var micros, out var tail), id);
            Assert.Equal(id, CompactMessageId.Format(micros, tail));
        }
        foreach (var id in new[] { "msg_0_AbCdEf", "msg_999999999999999999_-_-_-_" })
        {
            Assert.True(CompactMessageId.TryParse(System.Text.Encoding.ASCII.GetBytes(id), out var micros, out var tail), id);
            Assert.Equal(id, CompactMessageId.Format(micros, tail));
        }
    }

    [Theory]
    [InlineData("m1")]
    [InlineData("msg_01_AbCdEf")]                  // a leading zero would not come back
    [InlineData("msg_1234567890123456789_AbCdEf")] // 19 digits
    [InlineData("msg__AbCdEf")]
    [InlineData("msg_12_AbCdE")]
    [InlineData("msg_12_AbCdEfG")]
    [InlineData("msg_12_AbC+Ef")]
    [InlineData("msg_1x_AbCdEf")]
    [InlineData("msh_12_AbCdEf")]
    [InlineData("msg_-1_AbCdEf")]
    [InlineData("msg_12-AbCdEf")]
    [InlineData("rogue_1795752000000000_AbCdEf")]
    [InlineData("msg_1795752000000000_AbCdE\\\"")]   // an escaped quote
    [InlineData("msg\\u005f1795752000000000_AbCdEf")] // escaped in the frame: kept as the string it decodes to
    public void Other_ids_stay_strings_and_every_id_reads_back_as_sent(string idInJson)
    {
        var expected = JsonSerializer.Deserialize<string>("\"" + idInJson + "\"")!;
        Assert.False(!idInJson.Contains('\\', StringComparison.Ordinal) && CompactMessageId.TryParse(System.Text.Encoding.UTF8.GetBytes(idInJson), out _, out _));
        var result = FrameTestKit.Verifier(Ring).Verify(FrameTestKit.SignRaw(Key, FrameTestKit.Body(FrameTestKit.HealthPayload, id: idInJson)), GaterInstance.Health, "cluster:health");
        Assert.True(result.IsOk, result.Detail);
        Assert.Equal(expected, result.Envelope!.Id);
    }

    [Fact]
    public void An_id_escaped_in_one_frame_and_plain_in_another_is_one_id_to_the_replay_memory()
    {
        var verifier = FrameTestKit.Verifier(Ring);
        var escaped = FrameTestKit.Body(FrameTestKit.HealthPayload, id: "msg\\u005f1795752000000000_AbCdEf");
        var plain = FrameTestKit.Body(FrameTestKit.HealthPayload, id: "msg_1795752000000000_AbCdEf", extra: ",\"x\":1");
        Assert.True(verifier.Verify(FrameTestKit.SignRaw(Key, escaped), GaterInstance.Health, "cluster:health").IsOk);
        var again = verifier.Verify(FrameTestKit.SignRaw(Key, plain), GaterInstance.Health, "cluster:health");
        Assert.Equal(RejectReason.Replayed, again.Reason);
        Assert.Contains("msg_1795752000000000_AbCdEf", again.Detail, StringComparison.Ordinal);

        var other = FrameTestKit.Verifier(Ring);
        Assert.True(other.Verify(FrameTestKit.SignRaw(Key, plain), GaterInstance.Health, "cluster:health").IsOk);
        Assert.Equal(RejectReason.Replayed, other.Verify(FrameTestKit.SignRaw(Key, escaped), GaterInstance.Health, "cluster:health").Reason);
        var quoted = FrameTestKit.Body(FrameTestKit.HealthPayload, id: "a\\\"b\\u0063");
        Assert.True(other.Verify(FrameTestKit.SignRaw(Key, quoted), GaterInstance.Health, "cluster:health").IsOk);
        Assert.Equal(RejectReason.Replayed, other.Verify(FrameTestKit.SignRaw(Key, FrameTestKit.Body(FrameTestKit.HealthPayload, id: "a\\u0022bc")), GaterInstance.Health, "cluster:health").Reason);
    }

    [Fact]
    public void An_envelope_with_a_compact_id_equals_one_with_the_same_id_as_a_string()
    {
        var message = Samples.Build(Samples.Type("NodeHealth"));
        var id = ElixirCompat.GenerateMessageId();
        var sent = FrameTestKit.EnvelopeFor(message, "cluster:health", id: id);
        var received = FrameTestKit.Verifier(Ring).Verify(FrameEncoder.Encode(Ring, sent, message), GaterInstance.Health, "cluster:health").Envelope!;
        var receivedAgain = FrameTestKit.Verifier(Ring).Verify(FrameEncoder.Encode(Ring, sent, message), GaterInstance.Health, "cluster:health").Envelope!;
        Assert.Equal(sent, received);
        Assert.Equal(received, sent);
        Assert.Equal(received, receivedAgain);
        Assert.Equal(sent.GetHashCode(), received.GetHashCode());
        Assert.Equal(id, received.Id);
        Assert.Equal(sent, received); // and after its string was built
        Assert.Contains($"Id = {id},", receivedAgain.ToString(), StringComparison.Ordinal);

        // every member takes part in equality, whichever form the id has
        Envelope[] changed =
        [
            received with { Instance = GaterInstance.Metrics }, received with { Topic = "other" }, received with { Type = "other" },
            received with { Id = ElixirCompat.GenerateMessageId() }, received with { Node = "other@host" }, received with { Epoch = 9 },
            received with { Seq = 9 }, received with { Timestamp = 9 }, received with { Origin = "beam" },
            received with { Verification = "otp25" }, received with { NodeFromSender = true },
        ];
        Assert.All(changed, c => Assert.NotEqual(received, c));
        Assert.All(changed, c => Assert.NotEqual(sent, c));
        Assert.Equal(sent, received with { Id = id });

        // two compact ids differing in either part
        Envelope Received(string compactId) => FrameTestKit.Verifier(Ring).Verify(FrameEncoder.Encode(Ring, sent with { Id = compactId }, message), GaterInstance.Health, "cluster:health").Envelope!;
        Assert.NotEqual(Received("msg_1_AbCdEf"), Received("msg_2_AbCdEf"));
        Assert.NotEqual(Received("msg_1_AbCdEf"), Received("msg_1_AbCdEg"));
        Assert.Equal(Received("msg_1_AbCdEf"), Received("msg_1_AbCdEf"));
    }
    [Fact]
    public void An_envelope_built_with_a_null_id_reads_null()
    {
        var e = new Envelope(GaterInstance.Health, "t", "ty", null!, "n1@host", 1, 2, 3);
        Assert.Null(e.Id);
        var fromJson = JsonSerializer.Deserialize<Envelope>("""{"Instance":1,"Topic":"t","Type":"ty","Node":"n1@host","Epoch":1,"Seq":2,"Timestamp":3}""")!;
        Assert.Null(fromJson.Id);
        Assert.NotEqual(e, e with { Id = "msg_0_AAAAAA" });
    }

    [Fact]
    public void Records_and_envelopes_print_and_serialize_their_members_in_declaration_order()
    {
        var e = new Envelope(GaterInstance.Health, "t", "ty", "id1", "n1@host", 1, 2, 3);
        Assert.Equal("Envelope { Instance = Health, Topic = t, Type = ty, Id = id1, Node = n1@host, Epoch = 1, Seq = 2, Timestamp = 3, Origin = exg1, Verification = , NodeFromSender = False }", e.ToString());
        Assert.Equal("""{"Instance":1,"Topic":"t","Type":"ty","Id":"id1","Node":"n1@host","Epoch":1,"Seq":2,"Timestamp":3,"Origin":"exg1","Verification":null,"NodeFromSender":false}""", JsonSerializer.Serialize(e));
        Assert.Equal(e, JsonSerializer.Deserialize<Envelope>(JsonSerializer.Serialize(e)));

        var m = HealthMessages.NodeHealth("n1@host", NodeHealthStatus.Healthy, loadAvg: 0.5, memoryUsage: null, diskUsage: 70, messageContext: Samples.Context());
        Assert.Matches("^NodeHealth { Tag = node_health_updated, Instance = Health, Node = n1@host, Status = Healthy, Checks = {}, LoadAvg = 0.5, MemoryUsage = , DiskUsage = 70, Timestamp = [^,]+ }$", m.ToString());
        // a this_node field prints after the others, as when a plain record declared it in its body
        var access = Samples.Build(Samples.Type("AccessLog"));
        Assert.Matches(", Success = [^,]*, DurationMs = [^,]*, SourceIp = .*, Timestamp = [^,]*, Node = [^,]* }$", access.ToString());
    }

    private static readonly string Deep = "{\"a\":" + new string('[', 100) + new string(']', 100) + "}";

    [Fact]
    public void A_map_or_value_from_a_deep_element_reads()
    {
        using var doc = JsonDocument.Parse(Deep, new JsonDocumentOptions { MaxDepth = 200 });
        var map = JsonMap.FromElement(doc.RootElement);
        var any = JsonAny.FromElement(doc.RootElement);
        Assert.Single(map);
        Assert.Equal(JsonValueKind.Object, any.Element.ValueKind);
        Assert.Equal(map, JsonSerializer.Deserialize<JsonMap>(Deep, new JsonSerializerOptions { MaxDepth = 200 })!);
    }

    [Fact]
    public void Building_a_value_deeper_than_a_document_allows_fails_where_it_is_built()
    {
        object nested = 1;
        for (var i = 0; i < 100; i++)
        {
            nested = new object[] { nested };
        }
        Assert.ThrowsAny<JsonException>(() => JsonMap.Of(("a", nested)));
        Assert.ThrowsAny<JsonException>(() => JsonAny.From(nested));
    }

    [Fact]
    public void A_compact_id_reads_the_same_from_many_threads_at_once()
    {
        var message = Samples.Build(Samples.Type("NodeHealth"));
        var id = ElixirCompat.GenerateMessageId();
        var frame = FrameEncoder.Encode(Ring, FrameTestKit.EnvelopeFor(message, "cluster:health", id: id), message);
        for (var round = 0; round < 100; round++)
        {
            var envelope = FrameTestKit.Verifier(Ring).Verify(frame, GaterInstance.Health, "cluster:health").Envelope!;
            Assert.All(Enumerable.Range(0, 4).AsParallel().Select(_ => envelope.Id).ToArray(), read => Assert.Equal(id, read));
        }
    }

    [Fact]
    public void A_linked_envelope_round_trips_through_json()
    {
        var message = Samples.Build(Samples.Type("NodeHealth"));
        var received = FrameTestKit.Verifier(Ring).Verify(FrameEncoder.Encode(Ring, FrameTestKit.EnvelopeFor(message, "cluster:health", id: ElixirCompat.GenerateMessageId()), message), GaterInstance.Health, "cluster:health").Envelope!;
        var linked = received with { Origin = "beam", Verification = "otp25", NodeFromSender = true };
        Assert.Equal(linked, JsonSerializer.Deserialize<Envelope>(JsonSerializer.Serialize(linked)));
        Assert.Equal(received, JsonSerializer.Deserialize<Envelope>(JsonSerializer.Serialize(received)));
    }
    [Theory]
    [InlineData(1_795_752_000_000L)]
    [InlineData(0L)]                  // the first instant a frame can carry
    [InlineData(253_402_300_799_000L)] // the last a DateTimeOffset can: still compact (Fits holds for any clock)
    public async Task A_published_ids_string_is_the_one_in_its_frame_and_at_every_receiver(long clockMs)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(clockMs));
        var hub = new InProcessHub();
        GaterBusOptions Options(string node) => new()
        {
            NodeName = node, Keys = Ring, Backplane = hub.Connect(),
            Verifier = new VerifierOptions { TimeProvider = clock, MaxAge = TimeSpan.FromDays(1) },
        };
        await using var publisher = GaterBus.Create(Options("pub@host"));
        await using var receiver = GaterBus.Create(Options("recv@host"));
        await using var local = await publisher.OpenStreamAsync(GaterInstance.Health, "cluster:health");
        await using var remote = await receiver.OpenStreamAsync(GaterInstance.Health, "cluster:health");
        var message = HealthMessages.NodeHealth("pub@host", NodeHealthStatus.Healthy, messageContext: new MessageContext("pub@host", clock));

        var receipt = await publisher.BroadcastAsync("cluster:health", message);
        var here = await local.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var there = await remote.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var localOnly = await publisher.LocalBroadcastAsync("cluster:health", message);

        var micros = clockMs * 1000;
        Assert.Matches($"^msg_{micros}_[A-Za-z0-9_-]{{6}}$", receipt.Envelope.Id);
        Assert.Matches($"^msg_{micros}_[A-Za-z0-9_-]{{6}}$", localOnly.Envelope.Id);
        Assert.NotEqual(receipt.Envelope.Id, localOnly.Envelope.Id);
        Assert.Equal(receipt.Envelope, here.Envelope);
        Assert.Equal(receipt.Envelope, there.Envelope);
        Assert.Equal(receipt.Envelope.Id, there.Envelope!.Id);
        Assert.Equal(CompactMessageId.Fits(micros), receipt.Envelope.HasCompactId);
        Assert.Equal(CompactMessageId.Fits(micros), there.Envelope.HasCompactId);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(999_999_999_999_999_999L)]
    [InlineData(1_000_000_000_000_000_000L)]
    [InlineData(long.MaxValue)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void An_id_from_its_parts_is_a_valid_id_and_compact_exactly_when_it_reads_back(long micros)
    {
        var tail = CompactMessageId.PackTail("Ab-_9z"u8);
        var envelope = Envelope.Fresh(GaterInstance.Health, "cluster:health", NodeHealth.TagName, micros, tail, "pub@host", 1, 1, 1);
        var text = CompactMessageId.Format(micros, tail);
        Assert.Equal($"msg_{micros.ToString(System.Globalization.CultureInfo.InvariantCulture)}_Ab-_9z", text);
        Assert.Equal(text, envelope.Id);
        Assert.True(FrameRules.IsValidId(text));
        Assert.Equal(CompactMessageId.Fits(micros), envelope.HasCompactId);
        Assert.Equal(CompactMessageId.Fits(micros), CompactMessageId.TryParse(System.Text.Encoding.ASCII.GetBytes(text), out var back, out var backTail) && back == micros && backTail == tail);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using ExEsdbGater.Tests.Catalog;

namespace ExEsdbGater.Tests.Frames;

/// <summary>
/// The generated payload readers against a plain reading of the payload with JsonDocument, written here from the
/// catalog's descriptors alone: the same accept/reject decision, the same field at fault, equal messages — on every
/// vector and on mutated payloads (signed again, so that the verifier reaches the payload).
/// </summary>
public sealed class PayloadReaderDifferentialTests
{
    private const int CasesPerSeed = 26_000;

    [Fact]
    public void Fast_and_reference_readers_agree_on_every_vector()
    {
        var compared = 0;
        foreach (var v in Vectors.All)
        {
            Assert.True(GaterInstances.TryParse(v.GetProperty("instance").GetString(), out var instance));
            foreach (var f in v.GetProperty("frames").EnumerateArray())
            {
                var frame = Vectors.FrameBytes(f);
                var dot = FrameTestKit.IndexOfNth(frame, (byte)'.', 3);
                if (dot < 0 || instance == GaterInstance.Events || BodyReader.Read(frame.AsSpan(dot + 1), out var bf) is not null)
                {
                    continue;
                }
                var body = frame.AsSpan(dot + 1);
                if (MessageCatalog.Find(instance, Unquote(body, bf.Type)) is { } type)
                {
                    var members = PayloadMember.ThreadBuffer.AsSpan(0, bf.PayloadMembers).ToArray();
                    var expected = Compare(type, body.Slice(bf.PayloadStart, bf.PayloadEnd - bf.PayloadStart));
                    CompareMembers(type, body, members, expected);
                    compared++;
                }
            }
        }
        // the 72 valid vectors, and those that break a payload
        Assert.True(compared >= 76, $"{compared} payloads compared");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Fast_and_reference_readers_and_the_verifier_agree_on_mutated_payloads(int seed)
    {
        var rng = new Random(seed);
        var key = GaterKey.FromSecret(FrameTestKit.Secret);
        var verifier = new FrameVerifier(KeyRing.Of(key), new VerifierOptions { TimeProvider = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(FrameTestKit.Now), ReplayCapacity = 1 });
        var samples = Samples.OnePerType().Concat(MessageCatalog.Types.Select(t => Samples.Build(t, AllOptions(t)))).ToArray();
        var payloads = samples.Select(PayloadOf).ToArray();
        int accepted = 0, rejected = 0, malformed = 0;
        for (var i = 0; i < CasesPerSeed; i++)
        {
            var k = rng.Next(samples.Length);
            var type = MessageCatalog.Find(samples[k].GetType())!;
            var payload = Mutate(rng, type, payloads[k], payloads[rng.Next(payloads.Length)]);
            var body = Encoding.UTF8.GetBytes(FrameTestKit.Body(payload, type.Tag, type.Instance.WireName(), "orders:x", "d" + i.ToString(CultureInfo.InvariantCulture)));
            if (BodyReader.Read(body, out var bf) is not null)
            {
                // not the payload readers' input: the verifier stops at step 8
                malformed++;
                continue;
            }
            var members = PayloadMember.ThreadBuffer.AsSpan(0, bf.PayloadMembers).ToArray();
            var expected = Compare(type, body.AsSpan(bf.PayloadStart, bf.PayloadEnd - bf.PayloadStart));
            CompareMembers(type, body, members, expected);
            var result = verifier.Verify(FrameTestKit.SignRaw(key, body), type.Instance, "orders:x");
            if (expected.Message is not null)
            {
                Assert.True(result.IsOk, $"{result.Reason}: {result.Detail} for {payload}");
                Assert.Equal(expected.Message, result.Message);
                // and what was read is written back as the serializer writes it
                PayloadWriterDifferentialTests.AssertSameBytes(result.Message!);
                accepted++;
            }
            else
            {
                Assert.Equal(RejectReason.InvalidPayload, result.Reason);
                Assert.Equal(expected.Fault!.Value.Detail, result.Detail);
                rejected++;
            }
        }
        // the mutations reach every outcome often
        Assert.True(accepted > CasesPerSeed / 20 && rejected > CasesPerSeed / 5, $"accepted {accepted}, rejected {rejected}, malformed {malformed}");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(PayloadMember.MaxRecorded)]
    [InlineData(PayloadMember.MaxRecorded + 10)]
    public void A_payload_with_more_members_than_the_scanner_records_is_read_the_general_way_with_the_same_verdicts(int extra)
    {
        var key = GaterKey.FromSecret(FrameTestKit.Secret);
        var verifier = FrameTestKit.Verifier(KeyRing.Of(key));
        var padding = string.Concat(Enumerable.Range(0, extra).Select(i => $"\"x{i}\":{i},"));
        var good = "{" + padding + FrameTestKit.HealthPayload[1..];
        var bad = "{" + padding + FrameTestKit.HealthPayload[1..].Replace("\"healthy\"", "\"HEALTHY\"", StringComparison.Ordinal);
        var ok = verifier.Verify(FrameTestKit.SignRaw(key, FrameTestKit.Body(good, id: "pad-ok")), GaterInstance.Health, "cluster:health");
        var refused = verifier.Verify(FrameTestKit.SignRaw(key, FrameTestKit.Body(bad, id: "pad-bad")), GaterInstance.Health, "cluster:health");
        Assert.True(ok.IsOk, ok.Detail);
        Assert.Equal(NodeHealthStatus.Healthy, Assert.IsType<NodeHealth>(ok.Message).Status);
        Assert.Equal(RejectReason.InvalidPayload, refused.Reason);
        Assert.Equal("field status", refused.Detail);
    }

    [Fact]
    public void A_received_map_keeps_its_bytes_and_behaves_like_a_parsed_one()
    {
        var key = GaterKey.FromSecret(FrameTestKit.Secret);
        var verifier = FrameTestKit.Verifier(KeyRing.Of(key));
        const string payload = """{"order":{"id":7,"lines":["a","b"]},"total":12.5,"note":null}""";
        var result = verifier.Verify(FrameTestKit.SignRaw(key, FrameTestKit.Body(payload, "order_placed", "ex_esdb_events", "orders:x")), GaterInstance.Events, "orders:x");
        var map = Assert.IsType<ApplicationEvent>(result.Message).Payload;
        var parsed = JsonMap.Parse(payload);
        Assert.Equal(parsed, map);
        Assert.Equal(map, parsed);
        Assert.Equal(parsed.GetHashCode(), map.GetHashCode());
        Assert.Equal(["order", "total", "note"], map.Keys);
        Assert.Equal(12.5, map["total"].GetDouble());
        Assert.Equal(payload, map.ToString());
        Assert.Equal(JsonValueKind.Object, map.Element.ValueKind);
        Assert.Equal(map.Element.GetRawText(), JsonMap.FromElement(map.Element).ToString());
    }

    // The member reader (the verifier's path, over what the body scanner recorded) against the reference's reading.
    private static void CompareMembers(MessageTypeInfo type, ReadOnlySpan<byte> body, PayloadMember[] members, (GaterMessage? Message, PayloadFault? Fault) expected)
    {
        var ok = type.MemberReader(body, members, out var message, out var fault);
        AssertAgrees(type, "member reader", ok, message, fault, expected, Encoding.UTF8.GetString(body));
    }

    // Both readings of one payload; asserts they agree and returns the reference's.
    private static (GaterMessage? Message, PayloadFault? Fault) Compare(MessageTypeInfo type, ReadOnlySpan<byte> payload)
    {
        var expected = ReferenceReader.Read(type, payload.ToArray());
        var ok = type.Reader(payload, out var message, out var fault);
        AssertAgrees(type, "fast reader", ok, message, fault, expected, Encoding.UTF8.GetString(payload));
        return expected;
    }

    private static void AssertAgrees(MessageTypeInfo type, string reader, bool ok, GaterMessage? message, PayloadFault fault, (GaterMessage? Message, PayloadFault? Fault) expected, string text)
    {
        if (expected.Message is not null)
        {
            Assert.True(ok, $"{type.Name}: {reader} rejected ({fault.Detail}) {text}");
            Assert.Equal(expected.Message, message);
        }
        else
        {
            Assert.False(ok, $"{type.Name}: {reader} accepted, reference says {expected.Fault!.Value.Detail}: {text}");
            Assert.Equal(expected.Fault, fault);
        }
    }

    private static Dictionary<string, object?> AllOptions(MessageTypeInfo t)
        => Samples.FactoryOf(t).GetParameters().Where(p => p.HasDefaultValue && p.ParameterType != typeof(MessageContext))
            .ToDictionary(p => p.Name!, p => Samples.ArgumentFor(p, alternative: true));

    private static string PayloadOf(GaterMessage m)
    {
        var frame = FrameEncoder.Encode(FrameTestKit.Ring(FrameTestKit.Secret), FrameTestKit.EnvelopeFor(m, "orders:x"), m);
        var body = frame.AsSpan(FrameTestKit.IndexOfNth(frame, (byte)'.', 3) + 1);
        Assert.Null(BodyReader.Read(body, out var bf));
        return Encoding.UTF8.GetString(body.Slice(bf.PayloadStart, bf.PayloadEnd - bf.PayloadStart));
    }

    private static string Unquote(ReadOnlySpan<byte> body, RawString s) => BodyReader.Unescape(s.In(body));

    // Values that hit every kind's edges: wrong kinds, integers at the edge of a long, fractions and exponents,
    // escapes, instants that exist or not, node names or not, lists of mixed items.
    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-0", "7", "-1", "1.0", "1e2", "1E2", "0.25", "-3.5e-3", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "\"\"", "\"x\"", "\"\\u0078\"", "\"gater1@host-a\"",
        "\"bad node\"", "\"a@\"", "\"\\u0061@b\"", "\"2026-11-27T04:00:00.123Z\"", "\"2026-11-27T04:00:00Z\"", "\"2026-11-27t04:00:00.1234567+14:00\"",
        "\"2026-11-27T04:00:00-14:01\"", "\"2026-02-29T00:00:00Z\"", "\"2028-02-29T23:59:59.999999999Z\"", "\"2026-11-27T04:00:00.1234567890Z\"",
        "\"2026-11-27 04:00:00Z\"", "\"\\u0032026-11-27T04:00:00Z\"", "{}", "{\"a\":1}", "{\"a\":{\"b\":[1,\"x\",null]}}", "[]", "[\"a\"]", "[\"a\",\"b\"]",
        "[\"a\",null]", "[\"a\",1]", "[{}]", "[{\"error\":\"boom\"}]", "[{},\"a\"]", "[[]]", "\"HEALTHY\"", "\"healthy\"",
    ];

    private static string Mutate(Random rng, MessageTypeInfo type, string payload, string other)
    {
        if (rng.Next(10) == 0)
        {
            // bytes, as the frame fuzz does: mostly malformed, sometimes a new valid payload
            return rng.Next(2) == 0 ? MutateBytes(rng, payload) : payload[..rng.Next(payload.Length)] + other[rng.Next(other.Length)..];
        }
        using var doc = JsonDocument.Parse(payload);
        var members = doc.RootElement.EnumerateObject().Select(p => (Name: JsonSerializer.Serialize(p.Name), Value: p.Value.GetRawText())).ToList();
        var rounds = rng.Next(1, 4);
        for (var r = 0; r < rounds && members.Count > 0; r++)
        {
            var at = rng.Next(members.Count);
            var field = type.Fields.FirstOrDefault(f => JsonSerializer.Serialize(f.Name) == members[at].Name);
            switch (rng.Next(9))
            {
                case 0:
                    members.RemoveAt(at);
                    break;
                case 1 or 2 or 3:
                    members[at] = (members[at].Name, Values[rng.Next(Values.Length)]);
                    break;
                case 4 when field is { Values.Count: > 0 }:
                    // another value of the enum, or a near miss
                    var value = field.Values[rng.Next(field.Values.Count)];
                    members[at] = (members[at].Name, JsonSerializer.Serialize(rng.Next(3) switch { 0 => value.ToUpperInvariant(), 1 => value + "_", _ => value }));
                    break;
                case 5:
                    members.Insert(rng.Next(members.Count + 1), ("\"unknown_" + rng.Next(3) + "\"", Values[rng.Next(Values.Length)]));
                    break;
                case 6:
                    // the same name spelt with an escape
                    var name = members[at].Name;
                    members[at] = ("\"\\u00" + ((int)name[1]).ToString("x2", CultureInfo.InvariantCulture) + name[2..], members[at].Value);
                    break;
                case 7:
                    var to = rng.Next(members.Count);
                    (members[at], members[to]) = (members[to], members[at]);
                    break;
                default:
                    // a node field holding a bad node name, or a field set to null
                    members[at] = (members[at].Name, field is { IsNodeField: true } ? "\"no_at_sign\"" : "null");
                    break;
            }
        }
        return "{" + string.Join(",", members.Select(m => m.Name + ":" + m.Value)) + "}";
    }

    private static string MutateBytes(Random rng, string payload)
    {
        var sb = new StringBuilder(payload);
        var p = rng.Next(sb.Length);
        switch (rng.Next(3))
        {
            case 0:
                sb.Remove(p, Math.Min(rng.Next(1, 8), sb.Length - p));
                break;
            case 1:
                sb.Insert(p, "{}[]\",:.\\u0123456789\"ae-"[rng.Next(24)]);
                break;
            default:
                sb[p] = (char)rng.Next(0x20, 0x7F);
                break;
        }
        return sb.ToString();
    }
}

/// <summary>
/// Reads a payload with JsonDocument, from the descriptors only (wire-format section 4), as the verifier has always
/// named faults: the first bad field in document order (a node field holding no node name counts once another fault
/// is found), else the first missing required field in catalog order, else the first node field that is no node name.
/// </summary>
internal static class ReferenceReader
{
    public static (GaterMessage? Message, PayloadFault? Fault) Read(MessageTypeInfo type, byte[] payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        string? firstBadNode = null;
        var badNodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in doc.RootElement.EnumerateObject())
        {
            var field = type.Fields.FirstOrDefault(f => f.Name == member.Name);
            if (field is null)
            {
                continue;
            }
            if (member.Value.ValueKind == JsonValueKind.Null)
            {
                if (field.Required)
                {
                    return (null, new PayloadFault(firstBadNode ?? field.Name, false));
                }
                values[field.Name] = null;
                continue;
            }
            if (!TryValue(field, member.Value, out var value))
            {
                return (null, new PayloadFault(firstBadNode ?? field.Name, false));
            }
            if (field.IsNodeField && value is string s && !NodeName.IsValid(s))
            {
                firstBadNode ??= field.Name;
                badNodes.Add(field.Name);
            }
            values[field.Name] = value;
        }
        if (type.Fields.FirstOrDefault(f => f.Required && !values.ContainsKey(f.Name)) is { } missing)
        {
            return (null, new PayloadFault(firstBadNode ?? missing.Name, false));
        }
        if (type.Fields.FirstOrDefault(f => badNodes.Contains(f.Name)) is { } bad)
        {
            return (null, new PayloadFault(bad.Name, true));
        }
        // the record's one public constructor takes the fields in catalog order
        var ctor = type.ClrType.GetConstructors().Single(c => c.GetParameters().Length == type.Fields.Count);
        return ((GaterMessage)ctor.Invoke(type.Fields.Select(f => values.GetValueOrDefault(f.Name)).ToArray()), null);
    }

    private static bool TryValue(MessageFieldInfo field, JsonElement e, out object? value)
    {
        value = null;
        switch (field.Kind)
        {
            case FieldKind.String when e.ValueKind == JsonValueKind.String:
                value = e.GetString();
                return true;
            case FieldKind.Integer when e.ValueKind == JsonValueKind.Number && !e.GetRawText().Any(c => c is '.' or 'e' or 'E') && e.TryGetInt64(out var l):
                value = l;
                return true;
            case FieldKind.Number when e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d) && double.IsFinite(d):
                value = d;
                return true;
            case FieldKind.Boolean when e.ValueKind is JsonValueKind.True or JsonValueKind.False:
                value = e.GetBoolean();
                return true;
            case FieldKind.Map when e.ValueKind == JsonValueKind.Object:
                value = JsonMap.FromElement(e);
                return true;
            case FieldKind.List when e.ValueKind == JsonValueKind.Array && field.ElementKind == FieldKind.Map:
                if (!e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Object))
                {
                    return false;
                }
                value = new ValueList<JsonMap>(e.EnumerateArray().Select(JsonMap.FromElement));
                return true;
            case FieldKind.List when e.ValueKind == JsonValueKind.Array:
                if (!e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String))
                {
                    return false;
                }
                value = new ValueList<string>(e.EnumerateArray().Select(x => x.GetString()!));
                return true;
            case FieldKind.Instant when e.ValueKind == JsonValueKind.String && Instant.TryParse(e.GetString().AsSpan(), out var t):
                value = t;
                return true;
            case FieldKind.Enum when e.ValueKind == JsonValueKind.String && field.Values.Contains(e.GetString()!, StringComparer.Ordinal):
                var enumType = Nullable.GetUnderlyingType(field.ValueType) ?? field.ValueType;
                value = Enum.GetValues(enumType).Cast<object>().Single(x => JsonNamingPolicy.SnakeCaseLower.ConvertName(x.ToString()!) == e.GetString());
                return true;
            case FieldKind.Any:
                value = JsonAny.FromElement(e);
                return true;
            default:
                return false;
        }
    }
}

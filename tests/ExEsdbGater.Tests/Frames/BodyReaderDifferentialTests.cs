using System.Text;
using ExEsdbGater.Frames;
using ExEsdbGater.Tests.Catalog;

namespace ExEsdbGater.Tests.Frames;

/// <summary>
/// The hand-written body scanner against the Utf8JsonReader walk it replaced (<see cref="ReferenceBodyReader"/>):
/// the same verdict, the same words for the fault, the same envelope fields and payload bounds — on every vector,
/// on edge cases of the JSON grammar, and on 120,000 mutated bodies.
/// </summary>
public sealed class BodyReaderDifferentialTests
{
    private const int CasesPerSeed = 30_000;

    [Fact]
    public void Scanner_and_reference_agree_on_every_vector_body()
    {
        var compared = 0;
        foreach (var v in Vectors.All)
        {
            foreach (var f in v.GetProperty("frames").EnumerateArray())
            {
                var frame = Vectors.FrameBytes(f);
                var dot = FrameTestKit.IndexOfNth(frame, (byte)'.', 3);
                if (dot >= 0)
                {
                    Compare(frame.AsSpan(dot + 1).ToArray());
                    compared++;
                }
            }
        }
        Assert.True(compared >= 100, $"{compared} bodies compared");
    }

    public static TheoryData<string> EdgeCases() =>
    [
        "", " ", "{", "}", "[]", "[1]", "1", "-", "\"s\"", "\"s", "true", "tru", "null", "nul", "1x", "1/", "01", "{}", " {} ",
        "{} x", "{}}", "{,}", "{\"a\"}", "{\"a\":}", "{\"a\" :1}", "{\"a\":1,}", "{\"a\":1 \"b\":2}", "{\"a\":[1,]}", "{\"a\":[,1]}",
        "{\"a\":01}", "{\"a\":-}", "{\"a\":-0}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":1e+}", "{\"a\":1E-2}", "{\"a\":1e400}",
        "{\"a\":truex}", "{\"v\":truex}", "{\"v\":1x}", "{\"v\":\"1\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}",
        "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\udc00\"}", "{\"\\ud800\":1}", "{\"a\":1,\"a\":2}",
        "{\"a\":1,\"\\u0061\":2}", "{\"a\":{\"b\":1,\"b\":2}}", "{\"a\":\"\u0001\"}", "{\"a\":\"tab\there\"}", "{\"a\":\"ok\"}\n",
        "{\"v\":1,\"v\":1}", "{\"\\u0076\":1}", "{\"payload\":[]}", "{\"payload\":{}}", "{\"payload\":{\"x\":1e400}}",
        "{\"payload\":{\"x\":1e400},\"v\":2}", "{\"x\":{\"y\":1e400}}", "{\"a\":1}/", "{\"a\":1}//", "{\"a\":/**/1}",
        Nest(63), Nest(64), Nest(65), NestArrays(63), NestArrays(64),
        FrameTestKit.Body(FrameTestKit.HealthPayload), FrameTestKit.Body(FrameTestKit.HealthPayload) + " ",
        FrameTestKit.Body(FrameTestKit.HealthPayload, extra: ",\"x\":{\"y\":[1,2,{\"z\":null}]}"),
        FrameTestKit.Body(FrameTestKit.HealthPayload, extra: ",\"topic\":\"t\""),
        FrameTestKit.Body(FrameTestKit.HealthPayload).Replace("\"topic\":\"cluster:health\"", "\"topic\":\"cluster\\u003ahealth\"", StringComparison.Ordinal),
        FrameTestKit.Body(FrameTestKit.HealthPayload).Replace("\"seq\":1", "\"seq\":1.0", StringComparison.Ordinal),
        FrameTestKit.Body(FrameTestKit.HealthPayload).Replace("\"seq\":1", "\"seq\":0", StringComparison.Ordinal),
        FrameTestKit.Body(FrameTestKit.HealthPayload).Replace("\"ts\":", "\"ts\":-", StringComparison.Ordinal),
        FrameTestKit.Body(FrameTestKit.HealthPayload).Replace("\"epoch\":1", "\"epoch\":9007199254740992", StringComparison.Ordinal),
        FrameTestKit.Body(FrameTestKit.HealthPayload).Replace("\"epoch\":1", "\"epoch\":99999999999999999999", StringComparison.Ordinal),
        FrameTestKit.Body(FrameTestKit.HealthPayload).Replace("\"instance\":\"ex_esdb_health\"", "\"instance\":\"ex_esdb_heal\\u0074h\"", StringComparison.Ordinal),
        FrameTestKit.Body(FrameTestKit.HealthPayload).Replace("\"payload\"", "\"p\\u0061yload\"", StringComparison.Ordinal),
        FrameTestKit.Body(FrameTestKit.HealthPayload).Replace("\"node\":\"gater1@host-a\",\"epoch\"", "\"node\":\"gater1\\u0040host-a\",\"epoch\"", StringComparison.Ordinal),
        // as FrameEncoder writes it, then each way out of the literal names: a member after the payload (a repeat),
        // whitespace after a colon, before the closing brace, and between members
        FrameTestKit.Body(FrameTestKit.HealthPayload)[..^1] + ",\"v\":1}",
        FrameTestKit.Body(FrameTestKit.HealthPayload)[..^1] + ",\"x\":0}",
        FrameTestKit.Body(FrameTestKit.HealthPayload).Replace("\"seq\":1", "\"seq\": 1", StringComparison.Ordinal),
        FrameTestKit.Body(FrameTestKit.HealthPayload)[..^1] + " }",
        FrameTestKit.Body(FrameTestKit.HealthPayload).Replace(",\"seq\"", ", \"seq\"", StringComparison.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Scanner_and_reference_agree_on_edge_cases(string body) => Compare(Encoding.UTF8.GetBytes(body));

    [Fact]
    public void Sixty_four_levels_are_read_and_sixty_five_are_too_deep()
    {
        Assert.NotEqual(BodyScanner.TooDeep, BodyReader.Read(Encoding.UTF8.GetBytes(Nest(64)), out _));
        Assert.Equal(BodyScanner.TooDeep, BodyReader.Read(Encoding.UTF8.GetBytes(Nest(65)), out _));
        Assert.Equal(BodyScanner.NotJson, BodyReader.Read("{\"a\":{"u8, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Scanner_and_reference_agree_on_mutated_bodies(int seed)
    {
        var ring = FrameTestKit.Ring(FrameTestKit.Secret);
        var bodies = Samples.OnePerType()
            .Select((m, i) => FrameEncoder.Encode(ring, FrameTestKit.EnvelopeFor(m, "orders:x", id: "f" + i), m))
            .Select(f => f.AsSpan(FrameTestKit.IndexOfNth(f, (byte)'.', 3) + 1).ToArray())
            .ToArray();
        var rng = new Random(seed);
        int ok = 0, faults = 0;
        for (var i = 0; i < CasesPerSeed; i++)
        {
            var body = Mutate(rng, bodies[rng.Next(bodies.Length)], bodies[rng.Next(bodies.Length)]);
            if (Compare(body))
            {
                ok++;
            }
            else
            {
                faults++;
            }
        }
        // both kinds are well represented, so the agreement means something
        Assert.True(ok > CasesPerSeed / 20 && faults > CasesPerSeed / 20, $"{ok} read, {faults} refused");
    }

    [Fact]
    public void A_body_as_the_encoder_writes_it_and_the_same_body_walked_in_general_record_the_same_payload_members()
    {
        var ring = FrameTestKit.Ring(FrameTestKit.Secret);
        var compared = 0;
        foreach (var (message, i) in Samples.OnePerType().Select((m, i) => (m, i)))
        {
            var frame = FrameEncoder.Encode(ring, FrameTestKit.EnvelopeFor(message, "orders:x", id: "f" + i), message);
            var body = frame.AsSpan(FrameTestKit.IndexOfNth(frame, (byte)'.', 3) + 1).ToArray();
            // a space before the envelope's closing brace: every offset up to it is the same, but the names are not
            // read as literals, so the general walk reads the whole body
            byte[] spaced = [.. body.AsSpan(0, body.Length - 1), (byte)' ', (byte)'}'];
            var literal = Recorded(body);
            var general = Recorded(spaced);
            Assert.Null(literal.Error);
            Assert.Equal(general.Error, literal.Error);
            Assert.Equal(Fields(general.Fields), Fields(literal.Fields));
            Assert.Equal(general.Fields.PayloadMembers, literal.Fields.PayloadMembers);
            Assert.Equal(general.Members, literal.Members);
            compared++;
        }
        Assert.True(compared >= 30, $"{compared} bodies compared");
    }

    [Fact]
    public void The_encoder_writes_the_envelope_names_in_the_order_the_scanner_matches_as_literals()
    {
        // otherwise every frame would quietly take the general walk: slower, and no test result would change
        var ring = FrameTestKit.Ring(FrameTestKit.Secret);
        foreach (var (message, i) in Samples.OnePerType().Select((m, i) => (m, i)))
        {
            var frame = FrameEncoder.Encode(ring, FrameTestKit.EnvelopeFor(message, "orders:x", id: "f" + i), message);
            var body = frame.AsSpan(FrameTestKit.IndexOfNth(frame, (byte)'.', 3) + 1);
            var at = 0;
            for (var member = 0; member < 10; member++)
            {
                var found = body[at..].IndexOf(BodyScanner.CanonicalName(member));
                Assert.True(member == 0 ? found == 0 : found >= 0, $"{message.Tag}: name {member} not where the scanner looks for it");
                at += found + BodyScanner.CanonicalName(member).Length;
            }
            Assert.Equal((byte)'}', body[^1]);
        }
    }

    private static (string? Error, BodyFields Fields, PayloadMember[] Members) Recorded(byte[] body)
    {
        var error = BodyReader.Read(body, out var f);
        var members = PayloadMember.ThreadBuffer.AsSpan(0, Math.Min(f.PayloadMembers, PayloadMember.MaxRecorded)).ToArray();
        return (error, f, members);
    }

    private static bool Compare(byte[] body)
    {
        var expected = ReferenceBodyReader.Read(body, out var e);
        var actual = BodyReader.Read(body, out var a);
        var text = Encoding.UTF8.GetString(body);
        Assert.True(expected == actual, $"reference: {expected ?? "ok"}; scanner: {actual ?? "ok"}; body: {text}");
        if (expected is null)
        {
            Assert.Equal(Fields(e), Fields(a));
        }
        else if (e.NonFiniteNumber || a.NonFiniteNumber)
        {
            Assert.Equal(e.NonFiniteNumber, a.NonFiniteNumber);
        }
        return expected is null;
    }

    private static (GaterInstance, RawString, RawString, RawString, RawString, long, long, long, int, int, bool) Fields(BodyFields f)
        => (f.Instance, f.Topic, f.Type, f.Id, f.Node, f.Epoch, f.Seq, f.Ts, f.PayloadStart, f.PayloadEnd, f.NonFiniteNumber);

    private static string Nest(int levels) => "{" + string.Concat(Enumerable.Repeat("\"a\":{", levels - 1)) + new string('}', levels);

    private static string NestArrays(int levels) => "{\"a\":" + new string('[', levels - 1) + new string(']', levels - 1) + "}";

    private static readonly string[] Pieces =
    [
        "{", "}", "[", "]", "\"", ",", ":", " ", "\t", "\n", "\\", "\\u", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\n", "\\x", "0", "-", ".", "e",
        "E+", "1e400", "-0", "01", "1.", "true", "tru", "null", "false", "\u0001", "é", "\"a\":1", "\"a\":{", "{\"b\":[1,2]}", "\"payload\":{}",
        "\"v\":1", "\"seq\":2", "/",
    ];

    private static byte[] Mutate(Random rng, byte[] a, byte[] b)
    {
        var f = a.ToList();
        var rounds = rng.Next(1, 4);
        for (var r = 0; r < rounds && f.Count > 0; r++)
        {
            switch (rng.Next(7))
            {
                case 0:
                    // a printable or structural byte in place of another (kept ASCII: UTF-8 faults are checked before)
                    f[rng.Next(f.Count)] = (byte)rng.Next(0x20, 0x7F);
                    break;
                case 1:
                case 2:
                    f.InsertRange(rng.Next(f.Count + 1), Encoding.UTF8.GetBytes(Pieces[rng.Next(Pieces.Length)]));
                    break;
                case 3:
                    var start = rng.Next(f.Count);
                    f.RemoveRange(start, Math.Min(rng.Next(1, 8), f.Count - start));
                    break;
                case 4:
                    f = f.Take(rng.Next(f.Count + 1)).ToList();
                    break;
                case 5:
                    f = f.Take(rng.Next(f.Count)).Concat(b.Skip(rng.Next(b.Length))).ToList();
                    break;
                default:
                    var s = rng.Next(f.Count);
                    var len = Math.Min(rng.Next(1, 40), f.Count - s);
                    f.InsertRange(rng.Next(f.Count), f.GetRange(s, len));
                    break;
            }
        }
        return f.ToArray();
    }
}

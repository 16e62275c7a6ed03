using ExEsdbGater.Beam.Mapping;
using ExEsdbGater.Frames;
using static ExEsdbGater.Beam.Tests.Mapping.T;

namespace ExEsdbGater.Beam.Tests.Mapping;

/// <summary>Hostile terms never make the mapping throw: every outcome is a message or a reason with a detail.</summary>
public sealed class MappingFuzzTests
{
    private static readonly RejectReason[] Reasons = [RejectReason.InvalidFormat, RejectReason.UnknownType, RejectReason.InvalidPayload];

    private static void Check(Term term, GaterInstance instance)
    {
        var r = BeamMapping.FromTerm(term, instance, "fuzz@host");
        if (r.IsOk)
        {
            Assert.True(MessageCatalog.Validate(r.Message!).IsOk);
            // whatever was accepted maps back without throwing
            _ = EtfWriter.ToBinary(BeamMapping.ToTerm(r.Message!, r.Origin), AtomEncoding.Latin1);
            _ = EtfWriter.ToBinary(BeamMapping.ToTerm(r.Message!), AtomEncoding.Latin1);
        }
        else
        {
            Assert.Contains(r.Error!.Value, Reasons);
            Assert.NotEmpty(r.Detail);
        }
    }

    [Fact]
    public void Mutated_vector_bytes_that_still_decode_map_or_fail_with_a_reason()
    {
        var random = new Random(11);
        var decoded = 0;
        foreach (var v in BeamVectors.All)
        {
            for (var n = 0; n < 400; n++)
            {
                var bytes = (byte[])v.Latin1.Clone();
                for (var k = random.Next(1, 4); k > 0; k--)
                {
                    bytes[random.Next(1, bytes.Length)] = (byte)random.Next(256);
                }
                if (EtfReader.TryDecode(bytes, out var term, out _))
                {
                    decoded++;
                    Check(term, v.GaterInstance);
                    Check(term, GaterInstance.Events);
                }
            }
        }
        Assert.True(decoded > 1000, $"only {decoded} mutations decoded");
    }

    [Fact]
    public void Every_field_replaced_by_every_kind_of_term_maps_or_fails_with_a_reason()
    {
        var odd = new Term[]
        {
            A("nil"), A("true"), A("x"), B("s"), new Binary(new byte[] { 0xC3 }), I(-1), new Integer(System.Numerics.BigInteger.Pow(10, 30)),
            new Float(1e308), L(), L(A("a"), B("b")), new List([I(1)], I(2)), Tup(), Tup(A("a"), I(1)), M(), M((I(1), I(2))),
            DateTime(2026, 1, 1, 0, 0, 0, 0, 0), new Pid(A("a@h"), 1, 2, 3), new Reference(A("a@h"), 1, [1u]), new Port(A("a@h"), 1, 1),
            new Binary(new byte[] { 1 }, 3), L(M((A("k"), L(Tup())))),
        };
        foreach (var v in BeamVectors.All)
        {
            var message = Decode(v);
            foreach (var key in Struct(message).Pairs.Select(p => ((Atom)p.Key).Name).Where(k => k != "__struct__"))
            {
                foreach (var value in odd)
                {
                    Check(With(message, key, value), v.GaterInstance);
                }
                Check(With(message, key, null), v.GaterInstance);
            }
        }
    }

    [Fact]
    public void The_events_instance_has_no_original_types_and_extra_keys_are_ignored()
    {
        var health = Decode(BeamVectors.Get("node_health_updated"));
        var r = BeamMapping.FromTerm(health, GaterInstance.Events, "a@h");
        Assert.Equal(RejectReason.UnknownType, r.Error);
        Assert.Equal(":node_health_updated is not a message of ex_esdb_events", r.Detail);
        var extra = BeamMapping.FromTerm(With(health, "added_later", B("x")), GaterInstance.Health, "a@h");
        Assert.True(extra.IsOk, extra.ToString());
    }
}

using System.Text.Json;
using ExEsdbGater.Beam.Mapping;
using ExEsdbGater.Frames;
using ExEsdbGater.Json;
using static ExEsdbGater.Beam.Tests.Mapping.T;

namespace ExEsdbGater.Beam.Tests.Mapping;

/// <summary>Field conversions, the node of the seven node-less types, term order, and every way a term can be wrong.</summary>
public sealed class MappingShapeTests
{
    private static Term NodeHealthVector => Decode(BeamVectors.Get("node_health_updated"));

    private static MappingResult Health(Term message) => BeamMapping.FromTerm(message, GaterInstance.Health, "sender@h");

    [Fact]
    public void Node_health_fields_convert_to_their_typed_values()
    {
        var m = Assert.IsType<NodeHealth>(Health(NodeHealthVector).Message);
        Assert.Equal("seed@localhost", m.Node);
        Assert.Equal(NodeHealthStatus.Healthy, m.Status);
        Assert.Equal(JsonMap.Parse("""{"disk":"ok","nested":{"a":[1,2]}}"""), m.Checks);
        Assert.Equal(0.75, m.LoadAvg);
    }

    [Fact]
    public void Microseconds_are_kept_both_ways()
    {
        var msg = With(NodeHealthVector, "timestamp", DateTime(2026, 1, 2, 3, 4, 5, 123456, 6));
        var m = Assert.IsType<NodeHealth>(Health(msg).Message);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1_234_560), m.Timestamp);
        var fresh = Struct(BeamMapping.ToTerm(m));
        Assert.True(fresh.TryGetValue("timestamp", out var ts));
        Assert.Equal(DateTime(2026, 1, 2, 3, 4, 5, 123456, 6), ts);
        // a whole millisecond is written as the original's truncated timestamps are: precision 3
        var ms = Struct(BeamMapping.ToTerm(m with { Timestamp = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 7, TimeSpan.Zero) }));
        Assert.True(ms.TryGetValue("timestamp", out var t3));
        Assert.Equal(DateTime(2026, 1, 2, 3, 4, 5, 7000, 3), t3);
    }

    [Fact]
    public void A_datetime_with_an_offset_is_read_as_its_instant()
    {
        var dt = DateTime(2026, 1, 2, 5, 4, 5, 0, 0).Pairs.Select(p => p.Key is Atom { Name: "utc_offset" } ? new KeyValuePair<Term, Term>(p.Key, I(7200)) : p);
        var m = Assert.IsType<NodeHealth>(Health(With(NodeHealthVector, "timestamp", new Map(dt.ToArray()))).Message);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), m.Timestamp);
    }

    [Fact]
    public void The_seven_node_less_types_get_the_sending_node_and_are_sent_without_node()
    {
        var v = BeamVectors.Get("cluster_health_updated");
        var r = BeamMapping.FromTerm(Decode(v), GaterInstance.Health, "store2@h");
        Assert.True(r.NodeFilled);
        var m = Assert.IsType<ClusterHealth>(r.Message);
        Assert.Equal("store2@h", m.Node);
        Assert.False(Struct(BeamMapping.ToTerm(m with { Node = "x@y" })).TryGetValue("node", out _));
        // a struct that has node after all (a later original) keeps its own
        var own = BeamMapping.FromTerm(With(Decode(v), "node", A("own@h")), GaterInstance.Health, "store2@h");
        Assert.False(own.NodeFilled);
        Assert.Equal("own@h", Assert.IsType<ClusterHealth>(own.Message).Node);
        Assert.Equal(["AccessViolation", "AlertAck", "AlertEscalation", "ClusterHealth", "LogFilter", "LogSummary", "NotificationStatus"],
            OriginalShape.Every.Where(s => s.NodeAdded).Select(s => s.Type.Name).Order());
    }

    [Fact]
    public void A_new_message_is_written_as_the_original_factory_builds_it()
    {
        var m = HealthMessages.ComponentHealth("event_store", "a@h", HealthStatus.Degraded,
            details: JsonMap.Parse("""{"b":1,"a":2.5,"aa":[true,null,"x"]}"""));
        var term = (ExEsdbGater.Beam.Terms.Tuple)BeamMapping.ToTerm(m);
        Assert.Equal(A("component_health_updated"), term[0]);
        var s = Struct(term);
        // __struct__ first ('_' < 'a'), then the fields in atom order
        Assert.Equal(["__struct__", "component", "details", "last_check", "node", "status", "timestamp"], s.Pairs.Select(p => ((Atom)p.Key).Name));
        Assert.True(s.TryGetValue("__struct__", out var st));
        Assert.Equal(A("Elixir.ExESDBGater.Messages.HealthMessages.ComponentHealth"), st);
        Assert.True(s.TryGetValue("component", out var c));
        Assert.Equal(A("event_store"), c);
        Assert.True(s.TryGetValue("node", out var n));
        Assert.Equal(A("a@h"), n);
        Assert.True(s.TryGetValue("status", out var st2));
        Assert.Equal(A("degraded"), st2);
        Assert.True(s.TryGetValue("details", out var d));
        Assert.Equal(M((B("a"), new Float(2.5)), (B("aa"), L(A("true"), A("nil"), B("x"))), (B("b"), I(1))), d);
        Assert.Equal(["a", "aa", "b"], ((Map)d).Pairs.Select(p => Encoding(p.Key)));
        // and it maps back to the same message
        Assert.Equal(m, BeamMapping.FromTerm(term, GaterInstance.Health, "z@h").Message);
    }

    private static string Encoding(Term t) => ((Binary)t).TryGetString(out var s) ? s : "";

    [Fact]
    public void Atom_or_binary_keys_and_non_json_terms_have_a_json_form()
    {
        var pid = new Pid(A("a@h"), 85, 0, 3);
        var v = Decode(BeamVectors.Get("process_lifecycle_event"));
        v = With(v, "pid", pid);
        v = With(v, "reason", Tup(A("shutdown"), pid, B("bye"), new Reference(A("a@h"), 3, [1u, 2u, 3u])));
        var r = BeamMapping.FromTerm(v, GaterInstance.Lifecycle, "a@h");
        var m = Assert.IsType<ProcessLifecycle>(r.Message);
        Assert.Equal("#PID<a@h.85.0>", m.Pid);
        Assert.Equal("{:shutdown, #PID<a@h.85.0>, \"bye\", #Reference<a@h.1.2.3>}", m.Reason!.Element.GetString());
        // unchanged, the pid and tuple go back as they came
        Assert.Equal(v, BeamMapping.ToTerm(m, r.Origin));

        var h = With(NodeHealthVector, "checks", M((A("disk"), A("ok")), (B("n"), I(long.MaxValue)), (A("list"), L(I(1), new Float(1.5))),
            (A("at"), DateTime(2026, 1, 1, 0, 0, 0, 5, 6)), (A("big"), new Integer(System.Numerics.BigInteger.Pow(2, 80)))));
        var checks = Assert.IsType<NodeHealth>(Health(h).Message).Checks!;
        Assert.Equal(JsonMap.Parse("""{"disk":"ok","n":9223372036854775807,"list":[1,1.5],"at":"2026-01-01T00:00:00.000005Z","big":"1208925819614629174706176"}"""), checks);
    }

    private static readonly Lazy<Dictionary<string, (Term Message, string Reason, string Detail)>> Bad = new(BuildBad);

    public static TheoryData<string> BadTerms() => new(Bad.Value.Keys);

    private static Dictionary<string, (Term, string, string)> BuildBad()
    {
        var ok = NodeHealthVector;
        var deep = (Term)B("x");
        for (var i = 0; i < 70; i++)
        {
            deep = L(deep);
        }
        return new()
        {
            ["garbage"] = (I(42), "invalid_format", "not {tag, %Struct{}}: the integer 42"),
            ["not a tuple pair"] = (Tup(A("node_health_updated")), "invalid_format", "not {tag, %Struct{}}: the tuple {:node_health_updated}"),
            ["tag not an atom"] = (Tup(B("node_health_updated"), Struct(ok)), "invalid_format", "not {tag, %Struct{}}: the tuple {\"node_health_updated\", %{:__struct__ => :\"Elixir.ExESDBGate…"),
            ["no struct"] = (Tup(A("node_health_updated"), M((A("node"), A("a@h")))), "invalid_format", "the message of :node_health_updated is a map without an atom __struct__"),
            ["unknown tag"] = (Tup(A("bogus"), Struct(ok)), "unknown_type", ":bogus is not a message of ex_esdb_health"),
            ["tag of another instance"] = (Tup(A("system_config_changed"), Struct(ok)), "unknown_type", ":system_config_changed is not a message of ex_esdb_health"),
            ["wrong struct"] = (Tup(A("cluster_health_updated"), Struct(ok)), "unknown_type", ":cluster_health_updated carries Elixir.ExESDBGater.Messages.HealthMessages.NodeHealth, not Elixir.ExESDBGater.Messages.HealthMessages.ClusterHealth"),
            ["missing field"] = (With(ok, "status", null), "invalid_payload", "field status is missing"),
            ["enum not an atom"] = (With(ok, "status", I(3)), "invalid_payload", "field status: expected one of the atoms :healthy, :degraded, :unhealthy, :unknown, not the integer 3"),
            ["enum value unknown"] = (With(ok, "status", A("bogus")), "invalid_payload", "field status: expected one of the atoms :healthy, :degraded, :unhealthy, :unknown, not the atom :bogus"),
            ["required nil"] = (With(ok, "status", A("nil")), "invalid_payload", "field status is required, not nil"),
            ["node not a node name"] = (With(ok, "node", A("not a node")), "invalid_payload", "field node is not a node name"),
            ["node a tuple"] = (With(ok, "node", Tup(A("a"))), "invalid_payload", "field node: expected a string or an atom, not the tuple {:a}"),
            ["number a binary"] = (With(ok, "load_avg", B("x")), "invalid_payload", "field load_avg: expected a number, not the binary \"x\""),
            ["map a list"] = (With(ok, "checks", L(I(1))), "invalid_payload", "field checks: expected a map, not the list [1]"),
            ["map key twice"] = (With(ok, "checks", M((A("a"), I(1)), (B("a"), I(2)))), "invalid_payload", "field checks: the key 'a' occurs twice (as an atom and as a string)"),
            ["map too deep"] = (With(ok, "checks", M((A("a"), deep))), "invalid_payload", "field checks: nested deeper than 64"),
            ["timestamp a binary"] = (With(ok, "timestamp", B("2026-01-01T00:00:00Z")), "invalid_payload", "field timestamp: expected a %DateTime{}, not the binary \"2026-01-01T00:00:00Z\""),
            ["timestamp month 13"] = (With(ok, "timestamp", With2(DateTime(2026, 1, 1, 0, 0, 0, 0, 0), "month", I(13))), "invalid_payload", "field timestamp: the DateTime's month is not an integer in 1..12"),
            ["timestamp 31 February"] = (With(ok, "timestamp", DateTime(2026, 2, 31, 0, 0, 0, 0, 0)), "invalid_payload", "field timestamp: the DateTime's date does not exist"),
            ["timestamp bad microsecond"] = (With(ok, "timestamp", With2(DateTime(2026, 1, 1, 0, 0, 0, 0, 0), "microsecond", Tup(I(1_000_000), I(6)))), "invalid_payload", "field timestamp: the DateTime's microsecond is not {0..999999, 0..6}"),
            ["timestamp nil"] = (With(ok, "timestamp", A("nil")), "invalid_payload", "field timestamp is required, not nil"),
        };
    }

    private static Map With2(Map m, string key, Term value)
        => new(m.Pairs.Select(p => p.Key is Atom a && a.Name == key ? new KeyValuePair<Term, Term>(p.Key, value) : p).ToArray());

    [Theory]
    [MemberData(nameof(BadTerms))]
    public void A_bad_term_gives_its_reason_and_names_the_problem(string what)
    {
        var (message, reason, detail) = Bad.Value[what];
        var r = Health(message);
        Assert.False(r.IsOk, what);
        Assert.Equal(reason, r.Error!.Value.WireName());
        Assert.Equal(detail, r.Detail);
    }

    [Fact]
    public void Wrong_kinds_in_other_field_kinds_name_the_field()
    {
        var sys = Decode(BeamVectors.Get("feature_toggle_changed"));
        Assert.Equal("field enabled: expected true or false, not the binary \"yes\"",
            BeamMapping.FromTerm(With(sys, "enabled", B("yes")), GaterInstance.System, "a@h").Detail);
        var hc = Decode(BeamVectors.Get("health_check_completed"));
        Assert.Equal("field duration_ms: expected an integer, not the float 1.5",
            BeamMapping.FromTerm(With(hc, "duration_ms", new Float(1.5)), GaterInstance.Health, "a@h").Detail);
        var sa = Decode(BeamVectors.Get("security_alert"));
        Assert.Equal("field affected_users: item 1: expected a string or an atom, not the integer 7",
            BeamMapping.FromTerm(With(sa, "affected_users", L(B("u"), I(7))), GaterInstance.Security, "a@h").Detail);
        Assert.Equal("field affected_users: expected a list, not the binary \"u\"",
            BeamMapping.FromTerm(With(sa, "affected_users", B("u")), GaterInstance.Security, "a@h").Detail);
        Assert.Equal("field description: expected a string or an atom, not the binary <<255, 254>>",
            BeamMapping.FromTerm(With(sa, "description", new Binary(new byte[] { 255, 254 })), GaterInstance.Security, "a@h").Detail);
    }

    [Fact]
    public void The_tables_agree_with_spec_catalog_json()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "spec", "catalog.json")));
        var added = new List<string>();
        var atoms = new List<string>();
        var atomLists = new List<string>();
        foreach (var instance in doc.RootElement.GetProperty("instances").EnumerateArray())
        {
            foreach (var type in instance.GetProperty("types").EnumerateArray())
            {
                var name = type.GetProperty("name").GetString()!;
                foreach (var f in type.GetProperty("fields").EnumerateArray())
                {
                    var field = f.GetProperty("name").GetString()!;
                    var doc2 = f.GetProperty("doc").GetString()!;
                    var kind = f.GetProperty("kind").GetString();
                    if (f.TryGetProperty("added", out var a) && a.GetBoolean())
                    {
                        Assert.Equal("node", field);
                        added.Add(name);
                    }
                    else if (kind == "string" && doc2.StartsWith("atom", StringComparison.Ordinal) && field is not ("node" or "originating_node" or "reporting_node"))
                    {
                        atoms.Add(name + "." + field);
                    }
                    else if (kind == "list" && doc2.StartsWith("[atom]", StringComparison.Ordinal))
                    {
                        atomLists.Add(name + "." + field);
                    }
                }
            }
        }
        Assert.Equal(added.Order(), OriginalShape.NodeAddedTypes.Order());
        Assert.Equal(atoms.Order(), OriginalShape.AtomFields.Order());
        Assert.Equal(atomLists.Order(), OriginalShape.AtomListFields.Order());
        // every field of every type resolves to its record property
        Assert.Equal(36, OriginalShape.Every.Count);
        Assert.Equal(MessageCatalog.Types.Sum(t => t.Fields.Count), OriginalShape.Every.Sum(s => s.Fields.Count));
    }
}

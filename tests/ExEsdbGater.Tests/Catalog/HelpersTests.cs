using System.Text.Json;
using ExEsdbGater;
using Microsoft.Extensions.Time.Testing;

namespace ExEsdbGater.Tests.Catalog;

[Collection(ExEsdbGater.Tests.Frames.EnvironmentCollection.Name)]
public sealed class HelpersTests
{
    [Fact]
    public void Current_timestamp_is_utc_truncated_to_milliseconds()
    {
        var clock = new FakeTimeProvider(Samples.ClockNow);
        var ts = ElixirCompat.CurrentTimestamp(clock);
        Assert.Equal(Samples.Truncated, ts);
        Assert.Equal(TimeSpan.Zero, ts.Offset);
        Assert.Equal(0, ts.Ticks % TimeSpan.TicksPerMillisecond);
    }

    [Fact]
    public void Node_getters_prefer_the_option_else_this_node()
    {
        var ctx = Samples.Context();
        Assert.Equal(Samples.Self, ElixirCompat.GetNode(null, ctx));
        Assert.Equal("o@h", ElixirCompat.GetNode("o@h", ctx));
        Assert.Equal(Samples.Self, ElixirCompat.GetOriginatingNode(null, ctx));
        Assert.Equal("o@h", ElixirCompat.GetOriginatingNode("o@h", ctx));
        Assert.Equal(Samples.Self, ElixirCompat.GetReportingNode(null, ctx));
        Assert.Equal("r@h", ElixirCompat.GetReportingNode("r@h", ctx));
    }

    [Fact]
    public void Message_ids_have_the_documented_format()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_795_752_000_123));
        var id = ElixirCompat.GenerateMessageId(timeProvider: clock);
        Assert.Matches("^msg_1795752000123000_[A-Za-z0-9_-]{6}$", id);
        Assert.Matches("^alert_\\d+_[A-Za-z0-9_-]{6}$", ElixirCompat.GenerateMessageId("alert"));
        Assert.NotEqual(ElixirCompat.GenerateMessageId(), ElixirCompat.GenerateMessageId());
        Assert.Throws<ArgumentException>(() => ElixirCompat.GenerateMessageId(""));
    }

    [Fact]
    public void Ids_made_at_one_instant_differ_across_refills_of_the_random_pool()
    {
        // 1,000 ids take 4,000 random bytes: the per-thread pool of 256 is refilled 15 times
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_795_752_000_123));
        var ids = Enumerable.Range(0, 1000).Select(_ => ElixirCompat.GenerateMessageId(timeProvider: clock)).ToList();
        Assert.All(ids, id => Assert.Matches("^msg_1795752000123000_[A-Za-z0-9_-]{6}$", id));
        // 32 random bits each: two equal among 1,000 happens about once in 10,000 runs, three practically never
        Assert.True(ids.Distinct().Count() >= 998, $"{1000 - ids.Distinct().Count()} repeated ids");
    }

    [Theory]
    [InlineData("gater1@h", NodeType.GaterNode)]
    [InlineData("store2@h", NodeType.StoreNode)]
    [InlineData("web@h", NodeType.Unknown)]
    public void Cluster_context_counts_connected_nodes_and_types_this_node(string self, NodeType type)
    {
        var ctx = new MessageContext(self);
        var cc = ElixirCompat.GetClusterContext(["b@h", "a@h", self, "a@h"], ctx);
        Assert.Equal(self, cc.Node);
        Assert.Equal(new ValueList<string>(["a@h", "b@h"]), cc.ConnectedNodes);
        Assert.Equal(3, cc.ClusterSize);
        Assert.Equal(type, cc.NodeType);
        Assert.Equal(1, ElixirCompat.GetClusterContext(null, ctx).ClusterSize);
    }

    [Fact]
    public void Enrich_metadata_adds_cluster_context_and_caller_keys_win()
    {
        var cc = ElixirCompat.GetClusterContext(["a@h"], new MessageContext("gater@h"));
        var enriched = ElixirCompat.EnrichMetadata(JsonMap.Of(("trace", "t1")), cc);
        Assert.Equal("t1", enriched["trace"].GetString());
        var ctx = enriched["cluster_context"];
        Assert.Equal("gater@h", ctx.GetProperty("node").GetString());
        Assert.Equal(2, ctx.GetProperty("cluster_size").GetInt32());
        Assert.Equal("gater_node", ctx.GetProperty("node_type").GetString());
        var overridden = ElixirCompat.EnrichMetadata(JsonMap.Of(("cluster_context", "mine")), cc);
        Assert.Equal("mine", overridden["cluster_context"].GetString());
        Assert.Single(ElixirCompat.EnrichMetadata(null, cc));
    }

    [Theory]
    [InlineData("a@b", true)]
    [InlineData("gater1@host-a", true)]
    [InlineData("store2@10.0.0.7", true)]
    [InlineData("x.y+z-1_@h_.-", true)]
    [InlineData("no-at-sign", false)]
    [InlineData("@host", false)]
    [InlineData("name@", false)]
    [InlineData("na me@host", false)]
    [InlineData("name@ho+st", false)]
    [InlineData("a@b@c", false)]
    [InlineData("", false)]
    public void Node_names_follow_the_wire_rule(string name, bool valid)
    {
        Assert.Equal(valid, NodeName.IsValid(name));
    }

    [Fact]
    public void Node_name_length_limits_hold()
    {
        Assert.True(NodeName.IsValid(new string('n', 128) + "@h"));
        Assert.False(NodeName.IsValid(new string('n', 129) + "@h"));
        Assert.True(NodeName.IsValid("n@" + new string('h', 253)));
        Assert.False(NodeName.IsValid("n@" + new string('h', 254)));
        Assert.False(NodeName.IsValid((string?)null));
    }

    [Fact]
    public void Resolve_uses_configuration_and_refuses_an_invalid_one()
    {
        Assert.Equal("cfg@h", NodeName.Resolve("cfg@h"));
        var ex = Assert.Throws<GaterConfigurationException>(() => NodeName.Resolve("bad name"));
        Assert.Contains("bad name", ex.Message, StringComparison.Ordinal);
        Assert.Throws<GaterConfigurationException>(() => new MessageContext("nope"));
    }

    [Fact]
    public void Default_names_are_made_valid()
    {
        Assert.Equal("my_app_@host_1", NodeName.FromParts("my app!", "host:1"));
        Assert.Equal("node@localhost", NodeName.FromParts("", ""));
        Assert.True(NodeName.IsValid(NodeName.FromParts(new string('x', 500), new string('ü', 500))));
        Assert.True(NodeName.IsValid(NodeName.Resolve()));
    }

    [Fact]
    public void Instants_are_written_with_milliseconds_and_z()
    {
        Assert.Equal("2026-11-27T04:05:06.123Z", Instant.Format(Samples.ClockNow));
        Assert.Equal("2026-11-27T04:05:06.123Z", Instant.Format(Samples.ClockNow.ToOffset(TimeSpan.FromHours(5))));
    }

    [Theory]
    [InlineData("2026-11-27T04:00:00Z", true)]
    [InlineData("2026-11-27T04:00:00.1Z", true)]
    [InlineData("2026-11-27T04:00:00.123456789Z", true)]
    [InlineData("2026-11-27T04:00:00.1234567890Z", false)]
    [InlineData("2026-11-27T04:00:00+14:00", true)]
    [InlineData("2026-11-27T04:00:00-14:00", true)]
    [InlineData("2026-11-27T04:00:00+14:01", false)]
    [InlineData("2026-11-27T04:00:00+05:60", false)]
    [InlineData("2026-02-29T04:00:00Z", false)]
    [InlineData("2024-02-29T04:00:00Z", true)]
    [InlineData("2026-11-27T24:00:00Z", false)]
    [InlineData("2026-11-27T23:59:60Z", false)]
    [InlineData("2026-11-27 04:00:00Z", false)]
    [InlineData("2026-11-27T04:00:00", false)]
    [InlineData("2026-11-27T04:00:00.Z", false)]
    [InlineData("2026-11-27T04:00:00ZZ", false)]
    [InlineData("２026-11-27T04:00:00Z", false)]
    public void Instants_are_read_as_receivers_accept_them(string text, bool ok)
    {
        Assert.Equal(ok, Instant.TryParse(text, out _));
    }

    [Fact]
    public void Offsets_are_converted_to_utc()
    {
        Assert.True(Instant.TryParse("2026-11-27T06:00:00.5+02:00", out var v));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 4, 0, 0, 500, TimeSpan.Zero), v);
    }

    [Fact]
    public void Json_maps_compare_by_structure_and_refuse_unknown_values()
    {
        Assert.Equal(JsonMap.Parse("""{"a":1,"b":[true,null]}"""), JsonMap.Of(("a", 1), ("b", new object?[] { true, null })));
        Assert.NotEqual(JsonMap.Parse("""{"a":1}"""), JsonMap.Parse("""{"a":2}"""));
        Assert.Throws<ArgumentException>(() => JsonMap.Parse("[1]"));
        Assert.Throws<ArgumentException>(() => JsonMap.Parse("{"));
        Assert.Throws<ArgumentException>(() => JsonMap.Of(("a", new object())));
        Assert.Throws<ArgumentException>(() => JsonMap.Of(("a", 1), ("a", 2)));
        Assert.Equal(JsonValueKind.String, JsonMap.Of(("q", QuorumStatus.Lost))["q"].ValueKind);
        Assert.Equal("lost", JsonMap.Of(("q", QuorumStatus.Lost))["q"].GetString());
    }
}

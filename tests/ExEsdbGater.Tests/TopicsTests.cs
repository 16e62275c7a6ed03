using ExEsdbGater;

namespace ExEsdbGater.Tests;

public sealed class TopicsTests
{
    [Fact]
    public void Store_topic_builders_append_their_sub_topic()
    {
        var builders = new Func<string, string>[]
        {
            Topics.StoreHealth, Topics.StoreLifecycle, Topics.StoreStreams, Topics.StoreReplicas,
            Topics.StoreEvents, Topics.StoreAlerts, Topics.StorePerformance, Topics.StoreSubscriptions,
        };
        Assert.Equal(Topics.StoreSubTopics.Select(s => "orders:" + s), builders.Select(b => b("orders")));
        Assert.Equal(builders.Select(b => b("orders")), Topics.AllStoreTopics("orders"));
    }

    [Fact]
    public void Cluster_topic_builders_append_their_sub_topic()
    {
        var builders = new Func<string>[]
        {
            Topics.ClusterHealth, Topics.ClusterTopology, Topics.ClusterLeader,
            Topics.ClusterDiscovery, Topics.ClusterAlerts, Topics.ClusterPerformance,
        };
        Assert.Equal(Topics.ClusterSubTopics.Select(s => "cluster:" + s), builders.Select(b => b()));
        Assert.Equal(builders.Select(b => b()), Topics.AllClusterTopics());
        Assert.Equal(8, Topics.StoreSubTopics.Count);
        Assert.Equal(6, Topics.ClusterSubTopics.Count);
    }

    [Fact]
    public void Custom_topics_are_built_and_bad_parts_refused()
    {
        Assert.Equal("s1:custom", Topics.StoreTopic("s1", "custom"));
        Assert.Equal("cluster:custom", Topics.ClusterTopic("custom"));
        Assert.Throws<ArgumentException>(() => Topics.StoreTopic("", "x"));
        Assert.Throws<ArgumentException>(() => Topics.StoreTopic("a:b", "x"));
        Assert.Throws<ArgumentException>(() => Topics.StoreTopic("s", ""));
        Assert.Throws<ArgumentException>(() => Topics.ClusterTopic(""));
        Assert.ThrowsAny<ArgumentException>(() => Topics.StoreHealth(null!));
    }

    [Theory]
    [InlineData("cluster:health", TopicScope.Cluster, null, "health")]
    [InlineData("orders:health", TopicScope.Store, "orders", "health")]
    [InlineData("orders:a:b", TopicScope.Store, "orders", "a:b")]
    [InlineData("cluster:x:y", TopicScope.Cluster, null, "x:y")]
    [InlineData("Cluster:health", TopicScope.Store, "Cluster", "health")]
    public void Parse_splits_on_the_first_colon(string topic, TopicScope scope, string? store, string sub)
    {
        Assert.Equal(new ParsedTopic(scope, store, sub), Topics.Parse(topic));
        Assert.True(Topics.IsValidTopic(topic));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("nocolon")]
    [InlineData(":health")]
    [InlineData("orders:")]
    [InlineData(":")]
    public void Odd_topics_are_invalid_format(string? topic)
    {
        Assert.False(Topics.IsValidTopic(topic));
        Assert.False(Topics.TryParse(topic, out _));
        var ex = Assert.Throws<FormatException>(() => Topics.Parse(topic));
        Assert.StartsWith("invalid_format", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Store_ids_must_be_non_empty()
    {
        Assert.True(Topics.IsValidStoreId("s"));
        Assert.False(Topics.IsValidStoreId(""));
        Assert.False(Topics.IsValidStoreId(null));
    }
}

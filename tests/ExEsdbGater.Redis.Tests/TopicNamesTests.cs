using StackExchange.Redis;

namespace ExEsdbGater.Redis.Tests;

/// <summary>The topic of an arriving message's channel, remembered between messages of one channel.</summary>
public sealed class TopicNamesTests
{
    private static RedisChannel Channel(string name) => RedisChannel.Literal(name);

    [Fact]
    public void A_literal_subscription_gets_its_topic_without_decoding_again()
    {
        var names = new TopicNames("exg:ex_esdb_health:", "exg:ex_esdb_health:cluster:health", "cluster:health");
        var first = names.TopicOf(Channel("exg:ex_esdb_health:cluster:health"));
        var second = names.TopicOf(Channel("exg:ex_esdb_health:cluster:health"));
        Assert.Equal("cluster:health", first);
        Assert.Same(first, second);
    }

    [Fact]
    public void A_pattern_subscription_gets_each_channels_topic_in_any_order()
    {
        var names = new TopicNames("exg:ex_esdb_health:", "exg:ex_esdb_health:*", "*");
        var topics = new[]
        {
            names.TopicOf(Channel("exg:ex_esdb_health:a")),
            names.TopicOf(Channel("exg:ex_esdb_health:a")),
            names.TopicOf(Channel("exg:ex_esdb_health:bé")),
            names.TopicOf(Channel("exg:ex_esdb_health:a")),
            names.TopicOf(Channel("exg:ex_esdb_health:")),
        };
        Assert.Equal(new string?[] { "a", "a", "bé", "a", "" }, topics);
    }

    [Fact]
    public void A_channel_outside_the_prefix_is_not_ours()
    {
        var names = new TopicNames("exg:ex_esdb_health:", "exg:ex_esdb_health:*", "*");
        Assert.Null(names.TopicOf(Channel("other:ex_esdb_health:a")));
        Assert.Null(names.TopicOf(Channel("exg:ex_esdb_healt")));
        Assert.Equal("a", names.TopicOf(Channel("exg:ex_esdb_health:a")));
    }
}

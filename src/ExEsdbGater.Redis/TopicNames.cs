using System.Text;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

/// <summary>
/// The topic of the channel a subscription's message arrived on, without a string per message: the last channel's
/// topic is remembered (a literal subscription has one channel; a pattern's messages come in runs of one channel).
/// A channel outside the instance's prefix (not ours) gives null.
/// </summary>
internal sealed class TopicNames
{
    private readonly byte[] _head;
    // read and written only by the subscription's message loop, one message at a time
    private byte[] _lastChannel;
    private string _lastTopic;

    /// <param name="head">The channel name of the instance's empty topic: the prefix every topic follows.</param>
    /// <param name="channel">The channel name of the topic first expected.</param>
    /// <param name="topic">That topic.</param>
    public TopicNames(string head, string channel, string topic)
    {
        _head = Encoding.UTF8.GetBytes(head);
        _lastChannel = Encoding.UTF8.GetBytes(channel);
        _lastTopic = topic;
    }

    public string? TopicOf(RedisChannel channel)
    {
        var name = (byte[]?)channel;
        if (name is null)
        {
            return null;
        }
        if (name.AsSpan().SequenceEqual(_lastChannel))
        {
            return _lastTopic;
        }
        if (!name.AsSpan().StartsWith(_head))
        {
            return null;
        }
        _lastTopic = Encoding.UTF8.GetString(name.AsSpan(_head.Length));
        _lastChannel = name;
        return _lastTopic;
    }
}

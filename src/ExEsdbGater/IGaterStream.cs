using System.Threading.Channels;

namespace ExEsdbGater;

/// <summary>A subscription consumed as a channel or an async stream.</summary>
public interface IGaterStream : IGaterSubscription
{
    /// <summary>The deliveries.</summary>
    ChannelReader<Delivery> Reader { get; }
}

namespace ExEsdbGater.Backplanes;

/// <summary>
/// Carries frame bytes between processes: publish on a channel (instance + topic), subscribe to topic patterns
/// (<c>*</c> matches any run of characters), and report connection changes. Implement it to add a transport.
/// </summary>
public interface IGaterBackplane : IAsyncDisposable
{
    /// <summary>A short name for logs, e.g. <c>in-process</c> or <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>Raised when the connection is lost or restored.</summary>
    event Action<BackplaneStateChange>? StateChanged;

    /// <summary>Publishes one frame on instance/topic. Frames published from one caller in sequence arrive in that order.</summary>
    ValueTask PublishAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default);

    /// <summary>Subscribes to frames of an instance whose topic matches the pattern; dispose the result to unsubscribe.</summary>
    ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, string topicPattern, BackplaneFrameHandler handler, CancellationToken cancellationToken = default);
}

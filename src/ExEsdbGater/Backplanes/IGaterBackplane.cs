namespace ExEsdbGater.Backplanes;

/// <summary>
/// Carries frame bytes between processes: publish on a channel (instance + topic), subscribe to topic patterns
/// (<c>*</c> matches any run of characters), and report connection changes. Implement it to add a transport.
/// </summary>
/// <remarks>
/// The contract, checked by <c>ExEsdbGater.Testing.BackplaneContractTests</c> (derive from it to test a transport):
/// the backplane matches patterns itself (<see cref="TopicPattern.Matches"/>), and the same topic on two instances is
/// two channels; every subscription whose pattern matches gets each frame once, including subscriptions of the
/// publishing connection; frames of any length, including none, arrive unchanged. Calls to one subscription's handler
/// never overlap. A handler that throws loses only that frame: it is called for later ones, and other subscriptions
/// are unaffected. Disposing the backplane ends its subscriptions (frames published after it returns reach none of its
/// handlers), may be repeated, and makes <see cref="PublishAsync"/> and <see cref="SubscribeAsync"/> throw <see cref="ObjectDisposedException"/>.
/// </remarks>
public interface IGaterBackplane : IAsyncDisposable
{
    /// <summary>A short name for logs, e.g. <c>in-process</c> or <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>Raised when the connection is lost or restored; never, by a transport without a connection (in-process).</summary>
    event Action<BackplaneStateChange>? StateChanged;

    /// <summary>
    /// Publishes one frame on instance/topic. Frames published from one caller in sequence reach each subscription in
    /// that order. The backplane may keep <paramref name="frame"/> until it is delivered: do not change it afterwards.
    /// </summary>
    ValueTask PublishAsync(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes to frames of an instance whose topic matches the pattern; dispose the result to unsubscribe: frames
    /// published after that do not reach the handler, and disposing again (also after the backplane) does nothing.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="topicPattern"/> is not <see cref="TopicPattern.IsValid"/>.</exception>
    ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, string topicPattern, BackplaneFrameHandler handler, CancellationToken cancellationToken = default);
}

namespace ExEsdbGater.Hosting;

/// <summary>
/// A message handler resolved from dependency injection in a fresh scope for every message (register it with
/// <see cref="GaterBuilderExtensions.AddHandler{THandler}"/>). Like a delegate handler, it runs on its
/// subscription's own queue: a throw is reported through <see cref="IGaterBus.HandlerFailed"/> and harms no one else.
/// </summary>
/// <typeparam name="T">The payload type handled; messages of other types on the same topics do not reach it.</typeparam>
public interface IGaterHandler<in T>
    where T : GaterMessage
{
    /// <summary>Handles one verified message.</summary>
    /// <param name="message">The payload.</param>
    /// <param name="envelope">Who sent it, when, on which topic, with which sequence number.</param>
    /// <param name="cancellationToken">Cancelled when the bus shuts down past its drain deadline.</param>
    ValueTask HandleAsync(T message, Envelope envelope, CancellationToken cancellationToken);
}

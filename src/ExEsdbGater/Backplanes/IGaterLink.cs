namespace ExEsdbGater.Backplanes;

/// <summary>
/// A link to a cluster that speaks another protocol (the original's Phoenix.PubSub on BEAM, say): it checks what it
/// receives in that cluster's own way and hands the bus typed messages, and it sends what this bus broadcasts in that
/// cluster's format. Unlike a backplane it carries messages, not exg1 frames. Implement it to add such a link.
/// </summary>
/// <remarks>
/// The bus subscribes once per instance, when its first subscriber on that instance arrives, and disposes those
/// subscriptions when it is disposed; it never disposes the link, whose owner does. A message the link delivered
/// is never sent back to it. <see cref="SendAsync"/> is called for every broadcast of this bus (not for local ones);
/// a link that cannot reach its cluster counts and reports that rather than failing the broadcast.
/// </remarks>
public interface IGaterLink : IAsyncDisposable
{
    /// <summary>A short name for logs and for <see cref="Envelope.Origin"/>, e.g. <c>beam</c>.</summary>
    string Name { get; }

    /// <summary>Raised when the link to the other cluster is lost or restored.</summary>
    event Action<BackplaneStateChange>? StateChanged;

    /// <summary>Starts delivering the instance's messages from the other cluster to <paramref name="sink"/>; dispose the result to stop.</summary>
    ValueTask<IAsyncDisposable> SubscribeAsync(GaterInstance instance, IGaterLinkSink sink, CancellationToken cancellationToken = default);

    /// <summary>Sends a message this bus broadcast, with its envelope, to the other cluster.</summary>
    ValueTask SendAsync(Envelope envelope, GaterMessage message, CancellationToken cancellationToken = default);
}

namespace ExEsdbGater.Bus;

// Links: messages from clusters with another protocol, already checked by the link, join the receive path after
// verification; broadcasts go out to every link after the backplane.
internal sealed partial class GaterBusCore
{
    private readonly IGaterLink[] _links;
    private readonly IAsyncDisposable?[][] _linkSubs;
    private long _linkRejected;

    private void OnLinkAccepted(Envelope envelope, GaterMessage message)
    {
        if (_disposed != 0)
        {
            return;
        }
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _verified);
        var delivery = new Delivery(envelope, message, local: false);
        // on its channel's lane, as frames are; no frame bytes to bound the inbound queue by: count a linked
        // message as the smallest frame
        FanOutReceived(envelope.Instance, envelope.Topic, delivery, 1);
    }

    private void OnLinkRejected(FrameRejection rejection)
    {
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _linkRejected);
        OnRejected(rejection);
    }

    private async ValueTask SubscribeLinksAsync(GaterInstance instance, CancellationToken ct)
    {
        for (var b = 0; b < _links.Length; b++)
        {
            if (Volatile.Read(ref _linkSubs[b][(int)instance]) is null)
            {
                _linkSubs[b][(int)instance] ??= await _links[b].SubscribeAsync(instance, new Sink(this), ct).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask SendToLinksAsync(Envelope envelope, GaterMessage message, CancellationToken ct)
    {
        foreach (var link in _links)
        {
            await link.SendAsync(envelope, message, ct).ConfigureAwait(false);
        }
    }

    private async ValueTask DisposeLinkSubscriptionsAsync()
    {
        foreach (var link in _links)
        {
            link.StateChanged -= OnBackplaneState;
        }
        foreach (var subs in _linkSubs)
        {
            for (var i = 0; i < subs.Length; i++)
            {
                // drain and dispose both stop receiving: each subscription is disposed once
                if (Interlocked.Exchange(ref subs[i], null) is { } s)
                {
                    await s.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private sealed class Sink(GaterBusCore bus) : IGaterLinkSink
    {
        public void Accept(Envelope envelope, GaterMessage message)
        {
            ArgumentNullException.ThrowIfNull(envelope);
            ArgumentNullException.ThrowIfNull(message);
            bus.OnLinkAccepted(envelope, message);
        }

        public void Reject(FrameRejection rejection)
        {
            ArgumentNullException.ThrowIfNull(rejection);
            bus.OnLinkRejected(rejection);
        }
    }
}

namespace ExEsdbGater.Bus;

// Bridges: messages from clusters with another protocol, already checked by the bridge, join the receive path after
// verification; broadcasts go out to every bridge after the backplane.
internal sealed partial class GaterBusCore
{
    private readonly IGaterBridge[] _bridges;
    private readonly IAsyncDisposable?[][] _bridgeSubs;
    private long _bridgeRejected;

    private void OnBridgeAccepted(Envelope envelope, GaterMessage message)
    {
        if (_disposed != 0)
        {
            return;
        }
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _verified);
        var delivery = new Delivery(envelope, message, local: false);
        // on its channel's lane, as frames are; no frame bytes to bound the inbound queue by: count a bridged
        // message as the smallest frame
        FanOutReceived(envelope.Instance, envelope.Topic, delivery, 1);
    }

    private void OnBridgeRejected(FrameRejection rejection)
    {
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _bridgeRejected);
        OnRejected(rejection);
    }

    private async ValueTask SubscribeBridgesAsync(GaterInstance instance, CancellationToken ct)
    {
        for (var b = 0; b < _bridges.Length; b++)
        {
            if (Volatile.Read(ref _bridgeSubs[b][(int)instance]) is null)
            {
                _bridgeSubs[b][(int)instance] ??= await _bridges[b].SubscribeAsync(instance, new Sink(this), ct).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask SendToBridgesAsync(Envelope envelope, GaterMessage message, CancellationToken ct)
    {
        foreach (var bridge in _bridges)
        {
            await bridge.SendAsync(envelope, message, ct).ConfigureAwait(false);
        }
    }

    private async ValueTask DisposeBridgeSubscriptionsAsync()
    {
        foreach (var bridge in _bridges)
        {
            bridge.StateChanged -= OnBackplaneState;
        }
        foreach (var subs in _bridgeSubs)
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

    private sealed class Sink(GaterBusCore bus) : IGaterBridgeSink
    {
        public void Accept(Envelope envelope, GaterMessage message)
        {
            ArgumentNullException.ThrowIfNull(envelope);
            ArgumentNullException.ThrowIfNull(message);
            bus.OnBridgeAccepted(envelope, message);
        }

        public void Reject(FrameRejection rejection)
        {
            ArgumentNullException.ThrowIfNull(rejection);
            bus.OnBridgeRejected(rejection);
        }
    }
}

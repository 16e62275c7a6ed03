using System.Diagnostics;
using System.Threading.Channels;

namespace ExEsdbGater.Bus;

// Receiving: verify once, drop echoes, track sequences, fan out; backpressure through the inbound queue.
internal sealed partial class GaterBusCore
{
    private readonly Channel<Inbound> _inbound;
    private readonly Task _receiveLoop;
    private readonly SequenceTracker _sequences;
    // Guards the switch between inline receiving and draining the inbound queue, so frames stay in order.
    private readonly Lock _receiveLock = new();
    private bool _draining;

    private Channel<Inbound> CreateInbound(int capacity) => Channel.CreateBounded<Inbound>(
        new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
        _ => Interlocked.Increment(ref _inboundDropped));

    // Frames are received inline on the backplane's thread (no hop) while every subscriber has room. When a
    // Wait-mode subscriber is full, the rest of that delivery and every later frame go through the inbound queue,
    // drained by the receive loop with backpressure, in order; inline receiving resumes once it is empty.
    private void OnBackplaneFrame(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame)
    {
        Interlocked.Increment(ref _received);
        lock (_receiveLock)
        {
            if (_draining)
            {
                _inbound.Writer.TryWrite(new Inbound(instance, topic, frame, null));
                return;
            }
            var pending = Receive(instance, topic, frame);
            if (pending is not null)
            {
                _draining = true;
                _inbound.Writer.TryWrite(new Inbound(instance, topic, frame, pending));
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var reader = _inbound.Reader;
        // uncancellable wait: no allocation per wait; DisposeAsync completes the writer to end the loop
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false) && !_stopping.IsCancellationRequested)
        {
            while (true)
            {
                Inbound item;
                lock (_receiveLock)
                {
                    if (!reader.TryRead(out item))
                    {
                        _draining = false;
                        break;
                    }
                }
                try
                {
                    var pending = item.Pending ?? ReceiveLocked(item);
                    if (pending is { } p)
                    {
                        await DeliverSlowAsync(p.Subscribers, p.ResumeAt, 0, item.Topic, p.Delivery, null, _stopping.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    private PendingDelivery? ReceiveLocked(Inbound item)
    {
        lock (_receiveLock)
        {
            return Receive(item.Instance, item.Topic, item.Frame);
        }
    }

    /// <summary>Verifies once and enqueues to every matching subscriber; returns what is left for a full Wait-mode queue.</summary>
    private PendingDelivery? Receive(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame)
    {
        using var activity = GaterTelemetry.Source.StartActivity("exesdbgater receive", ActivityKind.Consumer);
        var result = Verifier.Verify(frame.Span, instance, topic);
        if (!result.IsOk)
        {
            return null;
        }
        var env = result.Envelope!;
        if (env.Epoch == Epoch && string.Equals(env.Node, Node, StringComparison.Ordinal))
        {
            // our own frame back from the backplane: local subscribers already have it
            Interlocked.Increment(ref _echoes);
            return null;
        }
        Interlocked.Increment(ref _verified);
        if (_sequences.Track(env) is { } gap)
        {
            OnGap(gap);
        }
        var delivery = new Delivery(env, result.Message!, local: false);
        var subs = Volatile.Read(ref _subs[(int)instance]);
        var n = TryDeliver(subs, topic, delivery, null, out var stoppedAt);
        Counted(n);
        return stoppedAt >= 0 ? new PendingDelivery(delivery, subs, stoppedAt) : null;
    }

    /// <summary>A verified delivery that met a full Wait-mode queue: the subscribers from <see cref="ResumeAt"/> on still need it.</summary>
    private readonly record struct PendingDelivery(Delivery Delivery, Subscription[] Subscribers, int ResumeAt);

    /// <summary>A frame waiting in the inbound queue; <see cref="Pending"/> when it was already verified and partly delivered.</summary>
    private readonly record struct Inbound(GaterInstance Instance, string Topic, ReadOnlyMemory<byte> Frame, PendingDelivery? Pending);
}

using System.Diagnostics;
using System.Threading.Channels;

namespace ExEsdbGater.Bus;

// Receiving: verify first, drop echoes, track sequences, fan out; backpressure through the inbound queue.
internal sealed partial class GaterBusCore
{
    private readonly Channel<Inbound> _inbound;
    private readonly long _inboundMaxBytes;
    private readonly Task _receiveLoop;
    private readonly SequenceTracker _sequences;
    // Guards the switch between inline receiving and draining the inbound queue, so frames stay in order.
    private readonly Lock _receiveLock = new();
    private bool _draining;
    private long _inboundBytes;

    private Channel<Inbound> CreateInbound(int capacity) => Channel.CreateBounded<Inbound>(
        new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
        OnInboundDropped);

    // Every frame is verified on arrival, on the backplane's thread: one that fails is counted and gone, so forged
    // frames never take queue space. A verified delivery goes straight to the subscribers' queues while they have
    // room. When a Wait-mode subscriber is full, the rest of that delivery and every later one wait in the inbound
    // queue (bounded by count and bytes), drained in order with backpressure; inline delivery resumes once it is empty.
    private void OnBackplaneFrame(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame)
    {
        Interlocked.Increment(ref _received);
        lock (_receiveLock)
        {
            if (Verify(instance, topic, frame) is { } delivery)
            {
                FanOutReceived(instance, topic, delivery, frame.Length);
            }
        }
    }

    /// <summary>Hands a received, accepted delivery to the subscribers; the caller holds <see cref="_receiveLock"/>.</summary>
    private void FanOutReceived(GaterInstance instance, string topic, Delivery delivery, int bytes)
    {
        var subs = Volatile.Read(ref _subs[(int)instance]);
        if (_draining)
        {
            EnqueueInbound(new Inbound(topic, delivery, subs, 0, bytes));
            return;
        }
        var n = TryDeliver(subs, topic, delivery, null, out var stoppedAt);
        Counted(n);
        if (stoppedAt >= 0)
        {
            _draining = true;
            EnqueueInbound(new Inbound(topic, delivery, subs, stoppedAt, bytes));
        }
    }

    /// <summary>Verifies once; null for a rejected frame (counted by the verifier) or our own echo.</summary>
    private Delivery? Verify(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame)
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
        return new Delivery(env, result.Message!, local: false);
    }

    private void EnqueueInbound(Inbound item)
    {
        // bytes as well as count: a few large frames must not hold what 65,536 small ones would
        if (Interlocked.Add(ref _inboundBytes, item.Bytes) > _inboundMaxBytes)
        {
            OnInboundDropped(item);
            return;
        }
        _inbound.Writer.TryWrite(item);
    }

    private void OnInboundDropped(Inbound item)
    {
        Interlocked.Add(ref _inboundBytes, -item.Bytes);
        var dropped = Interlocked.Increment(ref _inboundDropped);
        GaterTelemetry.Dropped.Add(1, new KeyValuePair<string, object?>("queue", "inbound"));
        LogInboundDropped(_logger, item.Delivery.Envelope!.Node, item.Delivery.Envelope.Instance.WireName(), item.Topic, item.Delivery.Envelope.Seq);
        _events.Post(SlowConsumerDetected, new SlowConsumer(InboundQueueName, dropped));
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
                    await DeliverSlowAsync(item.Subscribers, item.ResumeAt, 0, item.Topic, item.Delivery, null, null, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    // not delivered to every subscriber: counted by DrainAsync, not lost silently
                    Interlocked.Increment(ref _inboundAbandoned);
                    return;
                }
                finally
                {
                    Interlocked.Add(ref _inboundBytes, -item.Bytes);
                }
            }
        }
    }

    /// <summary>The name under which inbound-queue drops are reported as a slow consumer.</summary>
    internal const string InboundQueueName = "(inbound queue)";

    /// <summary>A verified delivery waiting for a full Wait-mode queue: the subscribers from <see cref="ResumeAt"/> on still need it.</summary>
    private readonly record struct Inbound(string Topic, Delivery Delivery, Subscription[] Subscribers, int ResumeAt, int Bytes);
}

using System.Diagnostics;
using System.Threading.Channels;

namespace ExEsdbGater.Bus;

// Receiving: verify first, drop echoes, track sequences, fan out; backpressure through each lane's inbound queue.
internal sealed partial class GaterBusCore
{
    private readonly int _inboundCapacity;
    private readonly long _inboundMaxBytes;
    // Verified deliveries waiting behind a full Wait-mode subscriber, over all lanes: one budget, as with one lane.
    private long _inboundCount, _inboundBytes;

    // Every frame that arrives while receiving is verified on arrival, on the backplane's thread (one worker) or its
    // lane's worker (several); one handed over after dispose is counted as dropped, unverified. One that fails
    // verification is counted and gone, so forged frames never take inbound queue space. A verified delivery goes
    // straight to the subscribers' queues while they have room. When a Wait-mode subscriber is full, the rest of that
    // delivery and every later one of the lane wait in the lane's inbound queue (bounded by count and bytes), drained
    // in order with backpressure; inline delivery resumes once it is empty.
    private void OnBackplaneFrame(GaterInstance instance, string topic, ReadOnlyMemory<byte> frame)
    {
        if (_lanes.Length == 1)
        {
            // one worker: today's path, no hop and no copy
            Interlocked.Increment(ref _lanes[0].Counters.Received);
            if (_stopping.IsCancellationRequested)
            {
                // receiving has stopped, as for a frame routed to a worker then: counted, not lost silently
                OnArrivalAfterStop(instance, topic);
                return;
            }
            ReceiveOnLane(_lanes[0], instance, topic, frame);
            return;
        }
        var lane = LaneOf(instance, topic);
        Interlocked.Increment(ref lane.Counters.Received);
        Route(lane, instance, topic, frame);
    }

    private void ReceiveOnLane(ReceiveLane lane, GaterInstance instance, string topic, ReadOnlyMemory<byte> frame)
    {
        // outside the lane's lock: a channel's frames come one at a time (one backplane subscription, or the lane's
        // worker), and the verifier and tracker are thread-safe; the lock orders only the fan-out against the lane's
        // inbound loop and linked messages
        VerifyResult result;
        using (StartReceiveActivity())
        {
            result = Verifier.Verify(frame.Span, instance, topic);
        }
        ReceiveVerified(lane, instance, topic, result, frame.Length);
    }

    /// <summary>The activity around one frame's verifying, on whichever thread verifies it.</summary>
    private static Activity? StartReceiveActivity() => GaterTelemetry.Source.StartActivity("exesdbgater receive", ActivityKind.Consumer);

    /// <summary>The rest of receiving a verified (or rejected) frame, on its lane, in its channel's order.</summary>
    private void ReceiveVerified(ReceiveLane lane, GaterInstance instance, string topic, in VerifyResult result, int bytes)
    {
        if (Accept(lane, result) is { } delivery)
        {
            FanOutReceived(lane, instance, topic, delivery, bytes);
        }
    }

    /// <summary>Hands an accepted delivery (a linked one: already checked) to the subscribers, on its channel's lane.</summary>
    private void FanOutReceived(GaterInstance instance, string topic, Delivery delivery, int bytes)
        => FanOutReceived(LaneOf(instance, topic), instance, topic, delivery, bytes);

    private void FanOutReceived(ReceiveLane lane, GaterInstance instance, string topic, Delivery delivery, int bytes)
    {
        lock (lane.Lock)
        {
            FanOutOnLane(lane, instance, topic, delivery, bytes);
        }
    }

    /// <summary>The caller holds the lane's lock.</summary>
    private void FanOutOnLane(ReceiveLane lane, GaterInstance instance, string topic, Delivery delivery, int bytes)
    {
        var subs = Volatile.Read(ref _subs[(int)instance]);
        if (lane.Draining)
        {
            EnqueueInbound(lane, new Inbound(topic, delivery, subs, 0, bytes));
            return;
        }
        var n = TryDeliver(subs, topic, delivery, null, out var stoppedAt);
        if (n > 0)
        {
            Interlocked.Add(ref lane.Counters.Delivered, n);
            GaterTelemetry.Delivered.Add(n);
        }
        if (stoppedAt >= 0)
        {
            lane.Draining = true;
            EnqueueInbound(lane, new Inbound(topic, delivery, subs, stoppedAt, bytes));
        }
    }

    /// <summary>Null for a rejected frame (counted by the verifier) or our own echo; otherwise tracked and delivered.</summary>
    private Delivery? Accept(ReceiveLane lane, in VerifyResult result)
    {
        if (!result.IsOk)
        {
            return null;
        }
        var env = result.Envelope!;
        if (env.Epoch == Epoch && string.Equals(env.Node, Node, StringComparison.Ordinal))
        {
            // our own frame back from the backplane: local subscribers already have it
            Interlocked.Increment(ref lane.Counters.Echoes);
            return null;
        }
        Interlocked.Increment(ref lane.Counters.Verified);
        if (lane.Sequences.Track(env) is { } gap)
        {
            OnGap(gap);
        }
        return new Delivery(env, result.Message!, local: false);
    }

    private void EnqueueInbound(ReceiveLane lane, Inbound item)
    {
        // bytes as well as count: a few large frames must not hold what 65,536 small ones would
        var overCount = Interlocked.Increment(ref _inboundCount) > _inboundCapacity;
        var overBytes = Interlocked.Add(ref _inboundBytes, item.Bytes) > _inboundMaxBytes;
        if (overCount || overBytes || !lane.Inbound.Writer.TryWrite(item))
        {
            OnInboundDropped(item);
        }
    }

    private void OnInboundDropped(Inbound item)
    {
        Interlocked.Decrement(ref _inboundCount);
        Interlocked.Add(ref _inboundBytes, -item.Bytes);
        var dropped = Interlocked.Increment(ref _inboundDropped);
        GaterTelemetry.Dropped.Add(1, new KeyValuePair<string, object?>("queue", "inbound"));
        LogInboundDropped(_logger, item.Delivery.Envelope!.Node, item.Delivery.Envelope.Instance.WireName(), item.Topic, item.Delivery.Envelope.Seq);
        _events.Post(SlowConsumerDetected, new SlowConsumer(InboundQueueName, dropped));
    }

    private async Task InboundLoopAsync(ReceiveLane lane)
    {
        Subscription.ClearRunningHandler();
        var reader = lane.Inbound.Reader;
        // uncancellable wait: no allocation per wait; DisposeAsync completes the writer to end the loop
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false) && !_stopping.IsCancellationRequested)
        {
            while (true)
            {
                Inbound item;
                lock (lane.Lock)
                {
                    if (!reader.TryRead(out item))
                    {
                        lane.Draining = false;
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
                    Interlocked.Decrement(ref _inboundCount);
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

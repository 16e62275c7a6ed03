using System.Diagnostics;

namespace ExEsdbGater.Bus;

// Publishing: validate, sign once, deliver locally, hand the frame to the backplane.
internal sealed partial class GaterBusCore
{

    public ValueTask<PublishReceipt> BroadcastAsync(string topic, GaterMessage message, CancellationToken cancellationToken = default)
        => PublishAsync(topic, message, exclude: null, remote: true, cancellationToken);

    public ValueTask<PublishReceipt> BroadcastFromAsync(IGaterSubscription from, string topic, GaterMessage message, CancellationToken cancellationToken = default)
        => PublishAsync(topic, message, from ?? throw new ArgumentNullException(nameof(from)), remote: true, cancellationToken);

    public ValueTask<PublishReceipt> LocalBroadcastAsync(string topic, GaterMessage message, CancellationToken cancellationToken = default)
        => PublishAsync(topic, message, exclude: null, remote: false, cancellationToken);

    private async ValueTask<PublishReceipt> PublishAsync(string topic, GaterMessage message, IGaterSubscription? exclude, bool remote, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentNullException.ThrowIfNull(message);
        // one node identity per bus: node fields a factory took from the process default name this bus's node
        message = message.BindDefaultedNodes(Node);
        if (topic is null || !FrameRules.IsValidTopic(topic))
        {
            throw new ArgumentException($"'{topic}' is not a valid topic (1-255 UTF-8 bytes, no '*', no control characters).", nameof(topic));
        }
        var check = MessageValidator.Validate(message);
        if (!check.IsOk)
        {
            throw new GaterValidationException(message.GetType().Name, check);
        }
        var instance = message.Instance;
        ThrowIfWaitWouldDeadlock(instance, topic, exclude);
        using var activity = GaterTelemetry.Source.StartActivity("exesdbgater publish", ActivityKind.Producer);
        activity?.SetTag("exesdbgater.instance", instance.WireName());
        activity?.SetTag("exesdbgater.topic", topic);
        activity?.SetTag("exesdbgater.type", message.Tag);
        // one reading of the clock for the timestamp and the id's time (the id's microseconds start with ts)
        var now = _time.GetUtcNow();
        var ts = now.ToUnixTimeMilliseconds();
        // the id as its parts: the frame is written from them, and the string is built only if someone reads it
        ElixirCompat.NextIdParts(now, out var idMicros, out var idTail);
        if (!remote)
        {
            var localEnvelope = Envelope.Fresh(instance, topic, message.Tag, idMicros, idTail, Node, Epoch, 0, ts);
            var n = IsDurable(instance) ? DeliverLocalDurable(instance, topic, new Delivery(localEnvelope, message, local: true), exclude)
                : await DeliverAsync(instance, topic, localEnvelope, message, exclude, null, ct).ConfigureAwait(false);
            return new PublishReceipt(localEnvelope, n, 0) { Message = message };
        }
        var state = await EnterTopicAsync(instance, topic, ct).ConfigureAwait(false);
        try
        {
            var envelope = Envelope.Fresh(instance, topic, message.Tag, idMicros, idTail, Node, Epoch, state.Seq + 1, ts);
            var frame = FrameEncoder.Encode(_keys, envelope, message);
            state.Seq++;
            if (IsDurable(instance))
            {
                var appended = await AppendDurableAsync(envelope, message, frame, ct).ConfigureAwait(false);
                if (_links.Length > 0)
                {
                    await SendToLinksAsync(envelope, message, ct).ConfigureAwait(false);
                }
                return appended;
            }
            Interlocked.Increment(ref _published);
            GaterTelemetry.Published.Add(1);
            var delivered = await DeliverAsync(instance, topic, envelope, message, exclude, state, ct).ConfigureAwait(false);
            if (_backplane is not null)
            {
                await _backplane.PublishAsync(instance, topic, frame, ct).ConfigureAwait(false);
            }
            if (_links.Length > 0)
            {
                await SendToLinksAsync(envelope, message, ct).ConfigureAwait(false);
            }
            return new PublishReceipt(envelope, delivered, frame.Length) { Message = message };
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private ValueTask<int> DeliverAsync(GaterInstance instance, string topic, Envelope envelope, GaterMessage message, IGaterSubscription? exclude, TopicState? held, CancellationToken ct)
    {
        var subs = Volatile.Read(ref _subs[(int)instance]);
        if (subs.Length == 0)
        {
            // a bus that only publishes this instance has no delivery to build (56 B a broadcast)
            return ValueTask.FromResult(0);
        }
        var delivery = new Delivery(envelope, message, local: true);
        var n = TryDeliver(subs, topic, delivery, exclude, out var stoppedAt);
        if (stoppedAt >= 0)
        {
            return DeliverSlowAsync(subs, stoppedAt, n, topic, delivery, exclude, held, ct);
        }
        Counted(n);
        return ValueTask.FromResult(n);
    }

    /// <summary>Enqueues to every matching subscriber that has room; stops at the first full Wait-mode queue (its index, else -1).</summary>
    private static int TryDeliver(Subscription[] subs, string topic, Delivery delivery, IGaterSubscription? exclude, out int stoppedAt)
    {
        var n = 0;
        for (var i = 0; i < subs.Length; i++)
        {
            var s = subs[i];
            if (ReferenceEquals(s, exclude) || !s.Matches(topic))
            {
                continue;
            }
            if (!s.TryEnqueue(delivery))
            {
                stoppedAt = i;
                return n;
            }
            n++;
        }
        stoppedAt = -1;
        return n;
    }

    // The rare path: a Wait-mode queue is full, so the publisher waits for room (backpressure).
    // While it waits, the topic gate it holds (if any) records which queue it waits on, so that handlers waiting
    // for that gate can see a cycle through it.
    private async ValueTask<int> DeliverSlowAsync(Subscription[] subs, int from, int n, string topic, Delivery delivery, IGaterSubscription? exclude, TopicState? held, CancellationToken ct)
    {
        for (var i = from; i < subs.Length; i++)
        {
            var s = subs[i];
            if (ReferenceEquals(s, exclude) || !s.Matches(topic))
            {
                continue;
            }
            if (s.TryEnqueue(delivery))
            {
                n++;
                continue;
            }
            var waiter = Subscription.RunningHandler;
            if (waiter is not null && s.WaitsWhenFull && !Subscription.TryBeginWait(waiter, s))
            {
                // became a cycle after the up-front check (others filled a queue meanwhile): waiting would never
                // end, so this delivery is dropped, counted and reported instead
                s.CountDrop();
                continue;
            }
            held?.BlockedOn = s;
            try
            {
                if (await s.EnqueueAsync(delivery, ct).ConfigureAwait(false))
                {
                    n++;
                }
            }
            finally
            {
                held?.BlockedOn = null;
                if (waiter is not null)
                {
                    Subscription.EndWait(waiter);
                }
            }
        }
        Counted(n);
        return n;
    }

    private void Counted(int n)
    {
        if (n > 0)
        {
            Interlocked.Add(ref _delivered, n);
            GaterTelemetry.Delivered.Add(n);
        }
    }
}

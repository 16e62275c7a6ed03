using System.Collections.Concurrent;
using System.Diagnostics;

namespace ExEsdbGater.Bus;

// Publishing: validate, sign once, deliver locally, hand the frame to the backplane.
internal sealed partial class GaterBusCore
{
    private readonly ConcurrentDictionary<(GaterInstance, string), TopicState> _topics = new();

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
        using var activity = GaterTelemetry.Source.StartActivity("exesdbgater publish", ActivityKind.Producer);
        activity?.SetTag("exesdbgater.instance", instance.WireName());
        activity?.SetTag("exesdbgater.topic", topic);
        activity?.SetTag("exesdbgater.type", message.Tag);
        var ts = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var id = ElixirCompat.GenerateMessageId("msg", _time);
        if (!remote)
        {
            var localEnvelope = new Envelope(instance, topic, message.Tag, id, Node, Epoch, 0, ts);
            var n = await DeliverAsync(instance, topic, new Delivery(localEnvelope, message, local: true), exclude, ct).ConfigureAwait(false);
            return new PublishReceipt(localEnvelope, n, 0) { Message = message };
        }
        var state = _topics.GetOrAdd((instance, topic), static _ => new TopicState());
        await state.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var envelope = new Envelope(instance, topic, message.Tag, id, Node, Epoch, state.Seq + 1, ts);
            var frame = FrameEncoder.Encode(_keys, envelope, message);
            state.Seq++;
            Interlocked.Increment(ref _published);
            GaterTelemetry.Published.Add(1);
            var delivered = await DeliverAsync(instance, topic, new Delivery(envelope, message, local: true), exclude, ct).ConfigureAwait(false);
            if (_backplane is not null)
            {
                await _backplane.PublishAsync(instance, topic, frame, ct).ConfigureAwait(false);
            }
            return new PublishReceipt(envelope, delivered, frame.Length) { Message = message };
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private ValueTask<int> DeliverAsync(GaterInstance instance, string topic, Delivery delivery, IGaterSubscription? exclude, CancellationToken ct)
    {
        var subs = Volatile.Read(ref _subs[(int)instance]);
        var n = TryDeliver(subs, topic, delivery, exclude, out var stoppedAt);
        if (stoppedAt >= 0)
        {
            return DeliverSlowAsync(subs, stoppedAt, n, topic, delivery, exclude, ct);
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
    private async ValueTask<int> DeliverSlowAsync(Subscription[] subs, int from, int n, string topic, Delivery delivery, IGaterSubscription? exclude, CancellationToken ct)
    {
        for (var i = from; i < subs.Length; i++)
        {
            var s = subs[i];
            if (ReferenceEquals(s, exclude) || !s.Matches(topic))
            {
                continue;
            }
            if (s.TryEnqueue(delivery) || await s.EnqueueAsync(delivery, ct).ConfigureAwait(false))
            {
                n++;
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

    /// <summary>A publisher's position on one (instance, topic): its gate keeps seq order equal to backplane order.</summary>
    private sealed class TopicState
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public long Seq;
    }
}

using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Bus;

// Durable instances: broadcasts append to the instance's stream; subscriptions are group consumers or history readers.
internal sealed partial class GaterBusCore
{
    private readonly DeliveryMode[] _modes = new DeliveryMode[GaterInstances.All.Count];
    private readonly Lock _durableLock = new();
    private IGaterDurableTransport? _durable;
    private DurableSubscription[] _durableSubs = [];

    public event Action<StreamGap>? StreamGapDetected;

    private void InitDurable(GaterBusOptions options)
    {
        _durable = options.DurableTransport;
        foreach (var instance in GaterInstances.All)
        {
            var mode = options.DeliveryModeOf(instance);
            if (!Enum.IsDefined(mode))
            {
                throw new GaterConfigurationException($"GaterBusOptions.DeliveryModes[{instance}] is not a DeliveryMode value (was {(int)mode}).");
            }
            if (mode == DeliveryMode.Durable && _durable is null)
            {
                throw new GaterConfigurationException($"GaterBusOptions.DeliveryModes makes {instance.WireName()} durable, but GaterBusOptions.DurableTransport is not set.");
            }
            _modes[(int)instance] = mode;
        }
    }

    internal bool IsDurable(GaterInstance instance) => _modes[(int)instance] == DeliveryMode.Durable;

    // The stream is the only path, also to this process's own subscribers: each group gets the entry once.
    private async ValueTask<PublishReceipt> AppendDurableAsync(Envelope envelope, GaterMessage message, byte[] frame, CancellationToken ct)
    {
        var id = await _durable!.AppendAsync(envelope.Instance, envelope.Topic, frame, ct).ConfigureAwait(false);
        Interlocked.Increment(ref _published);
        GaterTelemetry.Published.Add(1);
        return new PublishReceipt(envelope, 0, frame.Length) { Message = message, StreamEntryId = id };
    }

    /// <summary>A local-only broadcast on a durable instance: to this process's durable subscriptions, nothing kept.</summary>
    private int DeliverLocalDurable(GaterInstance instance, string topic, Delivery delivery, IGaterSubscription? exclude)
    {
        var n = 0;
        foreach (var s in Volatile.Read(ref _durableSubs))
        {
            if (s.Instance == instance && !ReferenceEquals(s, exclude) && s.Matches(topic) && s.TryEnqueueLocal(delivery))
            {
                n++;
            }
        }
        Counted(n);
        return n;
    }

    /// <summary>The default group: the service's name, the node name up to '@'.</summary>
    internal static string ServiceName(string node) => node[..node.IndexOf('@', StringComparison.Ordinal)];

    /// <summary>The store's group name: one group per (group, pattern), so two patterns never take each other's entries.</summary>
    internal static string StoreGroup(string group, string pattern) => pattern == "*" ? group : group + "|" + pattern;

    private async ValueTask<IGaterStream> SubscribeDurableAsync(GaterInstance instance, string pattern, Func<Delivery, CancellationToken, ValueTask>? handler, SubscriptionOptions options, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        OptionsCheck.Subscription(options);
        if (options.MaxDeliveryAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDeliveryAttempts, "SubscriptionOptions.MaxDeliveryAttempts must be at least 1.");
        }
        if (options.ClaimIdleTime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ClaimIdleTime, "SubscriptionOptions.ClaimIdleTime must be greater than zero.");
        }
        if (options.Group is { } g && (g.Length == 0 || g.Any(char.IsControl)))
        {
            throw new ArgumentException($"'{g}' is not a valid group name (not empty, no control characters).", nameof(options));
        }
        if (pattern is null || !TopicPattern.IsValid(pattern))
        {
            throw new ArgumentException($"'{pattern}' is not a valid topic or pattern (1-255 UTF-8 bytes, no control characters).", nameof(pattern));
        }
        var name = options.Name ?? $"{instance.WireName()} {pattern}";
        IDurableStreamReader reader;
        string? group = null;
        if (options.From is { } from)
        {
            reader = await _durable!.OpenHistoryAsync(instance, from, ct).ConfigureAwait(false);
        }
        else
        {
            group = StoreGroup(options.Group ?? ServiceName(Node), pattern);
            lock (_durableLock)
            {
                if (_durableSubs.Any(s => s.Instance == instance && s.Group == group))
                {
                    throw new ArgumentException($"This bus already consumes {instance.WireName()} as group '{group}': one consumer per group and node.", nameof(options));
                }
            }
            reader = await _durable!.OpenGroupAsync(instance, group, Node, options.ClaimIdleTime, ct).ConfigureAwait(false);
        }
        var sub = new DurableSubscription(this, instance, pattern, name, group, reader, options, handler);
        lock (_durableLock)
        {
            _durableSubs = [.. _durableSubs, sub];
        }
        sub.Start();
        return sub;
    }

    internal void Remove(DurableSubscription sub)
    {
        lock (_durableLock)
        {
            _durableSubs = _durableSubs.Where(s => !ReferenceEquals(s, sub)).ToArray();
        }
    }

    /// <summary>Verifies a stream entry at the entry's own time; null when rejected (counted by the verifier).</summary>
    internal Delivery? VerifyEntry(GaterInstance instance, DurableEntry entry)
    {
        Interlocked.Increment(ref _received);
        if (!StreamPosition.TryParseEntryId(entry.Id, out var ms, out _))
        {
            // not an id a store assigns: judge it at the clock, like a pub/sub frame
            ms = _time.GetUtcNow().ToUnixTimeMilliseconds();
        }
        var result = Verifier.VerifyEntry(entry.Frame.Span, instance, entry.Topic, ms, entry.Id);
        if (!result.IsOk)
        {
            return null;
        }
        Interlocked.Increment(ref _verified);
        var env = result.Envelope!;
        var own = env.Epoch == Epoch && string.Equals(env.Node, Node, StringComparison.Ordinal);
        return new Delivery(env, result.Message!, own) { StreamEntryId = entry.Id, IsRedelivery = entry.Redelivered };
    }

    internal void ReportStreamGap(DurableSubscription sub, long missing, string? next)
    {
        Interlocked.Add(ref _gaps, missing);
        GaterTelemetry.Gaps.Add(missing);
        LogStreamGap(_logger, missing, sub.Instance.WireName(), sub.Name, sub.Group ?? "(history)");
        _events.Post(StreamGapDetected, new StreamGap(sub.Instance, sub.Name, sub.Group, missing, next));
    }

    internal void ReportDurableHandlerFailure(DurableSubscription sub, Delivery delivery, Exception ex)
    {
        Interlocked.Increment(ref _handlerErrors);
        LogHandlerFailed(_logger, ex, sub.Name);
        _events.Post(HandlerFailed, new HandlerFailure(sub.Name, delivery, ex));
    }

    internal void ReportDeadLettered(DurableSubscription sub, string entryId, int attempts)
        => LogDeadLettered(_logger, entryId, sub.Instance.WireName(), sub.Name, attempts);

    internal void ReportDurableError(DurableSubscription sub, Exception ex)
        => LogDurableError(_logger, sub.Name, ex.Message);

    internal void CountDurableDelivered() => Counted(1);

    private async ValueTask DisposeDurableSubscriptionsAsync()
    {
        foreach (var s in Volatile.Read(ref _durableSubs))
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Missing} entr(ies) of {Instance} trimmed by retention before {Subscription} (group {Group}) read them")]
    private static partial void LogStreamGap(ILogger logger, long missing, string instance, string subscription, string group);

    [LoggerMessage(Level = LogLevel.Error, Message = "Entry {EntryId} of {Instance} moved to the dead-letter stream: the handler of {Subscription} failed {Attempts} time(s)")]
    private static partial void LogDeadLettered(ILogger logger, string entryId, string instance, string subscription, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Durable reader of {Subscription} failed, retrying: {Error}")]
    private static partial void LogDurableError(ILogger logger, string subscription, string error);
}

namespace ExEsdbGater;

/// <summary>The health module's broadcast conveniences of the original.</summary>
public static class HealthBroadcasts
{
    /// <summary>
    /// Broadcasts a <see cref="NodeHealth"/>, <see cref="ComponentHealth"/> or <see cref="HealthCheck"/> on a store's
    /// health topic; <paramref name="storeIdOrTopic"/> is a store id, or a full topic when it contains <c>:</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Another payload type.</exception>
    public static ValueTask<PublishReceipt> BroadcastStoreHealthAsync(this IGaterBus bus, string storeIdOrTopic, GaterMessage payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentException.ThrowIfNullOrEmpty(storeIdOrTopic);
        if (payload is not (NodeHealth or ComponentHealth or HealthCheck))
        {
            throw new ArgumentException($"Store health carries NodeHealth, ComponentHealth or HealthCheck, not {payload?.GetType().Name ?? "null"}.", nameof(payload));
        }
        var topic = storeIdOrTopic.Contains(':', StringComparison.Ordinal) ? storeIdOrTopic : StoreHealthTopic(storeIdOrTopic);
        return bus.BroadcastAsync(topic, payload, cancellationToken);
    }

    /// <summary>Broadcasts a <see cref="ClusterHealth"/> or <see cref="NodeHealth"/> on <c>cluster:health</c>.</summary>
    /// <exception cref="ArgumentException">Another payload type.</exception>
    public static ValueTask<PublishReceipt> BroadcastClusterHealthUpdateAsync(this IGaterBus bus, GaterMessage payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bus);
        if (payload is not (ClusterHealth or NodeHealth))
        {
            throw new ArgumentException($"Cluster health carries ClusterHealth or NodeHealth, not {payload?.GetType().Name ?? "null"}.", nameof(payload));
        }
        return bus.BroadcastAsync(ClusterHealthTopic(), payload, cancellationToken);
    }

    /// <summary><c>&lt;storeId&gt;:health</c></summary>
    public static string StoreHealthTopic(string storeId) => Topics.StoreHealth(storeId);

    /// <summary><c>cluster:health</c></summary>
    public static string ClusterHealthTopic() => Topics.ClusterHealth();
}

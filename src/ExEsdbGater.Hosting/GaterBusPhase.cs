namespace ExEsdbGater.Hosting;

/// <summary>Where a hosted bus is in its host's lifetime.</summary>
internal enum GaterBusPhase
{
    /// <summary>Registered; the host has not started it.</summary>
    Created,
    /// <summary>Connected and subscribed; the host is starting the other services.</summary>
    Starting,
    /// <summary>The host has started.</summary>
    Started,
    /// <summary>The host is stopping; the bus still works.</summary>
    Stopping,
    /// <summary>Drained and disconnected.</summary>
    Stopped,
}

namespace ExEsdbGater;

/// <summary>Shutdown and inspection of a bus made by <see cref="GaterBus.Create"/>, for hosts that own its lifetime.</summary>
public static class GaterBusLifetime
{
    /// <summary>
    /// Ends a bus's work before it is disposed: stops receiving from the backplane, waits until every handler has
    /// handled what its queue holds and the inbound queue is empty (or <paramref name="cancellationToken"/> fires),
    /// then closes every subscription. What was still queued is counted as dropped, never silently lost. Afterwards
    /// the bus can still publish but receives nothing: dispose it.
    /// </summary>
    /// <returns>Whether the queues emptied in time, and how many deliveries were abandoned. A bus not made by <see cref="GaterBus.Create"/> reports nothing abandoned.</returns>
    public static ValueTask<DrainReport> DrainAsync(this IGaterBus bus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bus);
        return bus is GaterBusCore core ? core.DrainAsync(cancellationToken) : ValueTask.FromResult(new DrainReport(true, 0));
    }

    /// <summary>What is waiting in the bus now; all zero for a bus not made by <see cref="GaterBus.Create"/>.</summary>
    public static BusBacklog GetBacklog(this IGaterBus bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        return bus is GaterBusCore core ? core.Backlog : default;
    }
}

namespace ExEsdbGater.Tests.Bus;

/// <summary>
/// What a publishing thread allocates per broadcast. Alone in its collection: listeners that other tests register
/// for the library's activities and meters are process-wide, and allocate on the publishing thread while they listen.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class PublishAllocationTests
{
    private const string Secret = "allocation-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    // A broadcast builds its local delivery only for a bus with subscribers of that instance: one that only
    // publishes it allocates the frame and its envelope, and the delivery comes with the first subscription.
    [Fact]
    public async Task A_broadcast_with_no_local_subscriber_of_its_instance_builds_no_delivery()
    {
        await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = "n@test", Keys = KeyRing.Of(GaterKey.FromSecret(Secret)) });
        var message = HealthMessages.NodeHealth("a@h", NodeHealthStatus.Healthy, loadAvg: 0.1);
        long PerBroadcast(int rounds = 5)
        {
            var best = long.MaxValue;
            for (var round = 0; round < rounds; round++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < 100; i++)
                {
                    // no backplane and no full queue: the publish completes on this thread
                    Assert.True(bus.BroadcastAsync("cluster:health", message).IsCompletedSuccessfully);
                }
                best = Math.Min(best, (GC.GetAllocatedBytesForCurrentThread() - before) / 100);
            }
            return best;
        }
        // past tiered compilation's first tiers, whose code may allocate differently from the final one
        PerBroadcast(rounds: 30);
        await Task.Delay(500);
        PerBroadcast(rounds: 30);

        var alone = PerBroadcast();
        // a subscription of another instance changes nothing; one of this instance needs the delivery
        await using var other = await bus.SubscribeAsync(GaterInstance.Metrics, "cluster:health", (_, _) => ValueTask.CompletedTask,
            new SubscriptionOptions { Capacity = 1024, FullMode = QueueFullMode.DropOldest });
        var withOther = PerBroadcast();
        await using var sub = await bus.SubscribeAsync(GaterInstance.Health, "cluster:health", (_, _) => ValueTask.CompletedTask,
            new SubscriptionOptions { Capacity = 1024, FullMode = QueueFullMode.DropOldest });
        var withSubscriber = PerBroadcast();
        Assert.InRange(withOther - alone, -8, 8);
        // the delivery (56 B here)
        Assert.InRange(withSubscriber - alone, 24, 64);
    }
}

/// <summary>Tests that measure a thread's allocations, run while no other test runs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "allocation measurements";
}

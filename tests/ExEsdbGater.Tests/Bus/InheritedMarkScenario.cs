using System.Collections.Concurrent;
using ExEsdbGater.Testing;

namespace ExEsdbGater.Tests.Bus;

/// <summary>
/// A loop started from inside a Wait-mode handler's call must not read as that call. The outer handler (topic "a",
/// a queue of one) subscribes an inner handler on its first call and holds on while its queue fills; the inner
/// handler, made to run, publishes into "a" and must wait for room until the outer call returns, not be refused.
/// Linked into the Redis tests for durable handlers.
/// </summary>
internal static class InheritedMarkScenario
{
    /// <param name="bus">A bus on which "a" is a volatile health topic.</param>
    /// <param name="subscribeInner">Subscribes the inner handler, which runs the forward it is given.</param>
    /// <param name="runInner">Makes the inner handler run once.</param>
    public static async Task RunAsync(IGaterBus bus, Func<Func<CancellationToken, Task>, CancellationToken, Task> subscribeInner, Func<Task> runInner)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var forwarding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var forwarded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new ConcurrentQueue<double>();
        async Task Forward(CancellationToken ct)
        {
            forwarding.TrySetResult();
            try
            {
                await bus.BroadcastAsync("a", Health(9), ct);
                forwarded.TrySetResult();
            }
            catch (Exception ex)
            {
                forwarded.TrySetException(ex);
            }
        }
        await bus.SubscribeAsync<NodeHealth>("a", async (m, _, ct) =>
        {
            seen.Enqueue(m.LoadAvg!.Value);
            if (m.LoadAvg == 1)
            {
                await subscribeInner(Forward, ct);
                subscribed.SetResult();
                await release.Task;
            }
        }, new SubscriptionOptions { Capacity = 1, Name = "a" });
        try
        {
            await bus.BroadcastAsync("a", Health(1));
            await subscribed.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await bus.BroadcastAsync("a", Health(2)); // fills a's queue while its first call runs
            await runInner();
            await forwarding.Task.WaitAsync(TimeSpan.FromSeconds(20));
            // refused, the forward would have failed by now; waiting for room, it has not
            await Task.Delay(200);
            Assert.False(forwarded.Task.IsCompleted, forwarded.Task.Exception?.InnerException?.Message ?? "forwarded into a full queue");
        }
        finally
        {
            // released whatever happens: a call still holding on would hold the bus's disposal forever
            release.TrySetResult();
        }
        await forwarded.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Waiting.UntilAsync(() => seen.Count == 3, "all three delivered to a", TimeSpan.FromSeconds(20));
        Assert.Equal([1, 2, 9], seen.ToArray());
    }

    private static NodeHealth Health(double load) => HealthMessages.NodeHealth("a@h", NodeHealthStatus.Healthy, loadAvg: load);
}

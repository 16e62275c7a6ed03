using System.Collections.Concurrent;
using ExEsdbGater.Testing;

namespace ExEsdbGater.Redis.Tests;

/// <summary>Publish failures are found without a continuation per publish: every one is reported, once.</summary>
public sealed class PublishTrackerTests
{
    private static Task Until(Func<bool> condition, string what) => Waiting.UntilAsync(condition, what);

    [Fact]
    public async Task Every_failed_publish_is_reported_once_and_nothing_stays_in_flight()
    {
        var failures = new ConcurrentQueue<string>();
        var tracker = new PublishTracker((ex, _) => failures.Enqueue(ex.Message));
        var replies = Enumerable.Range(0, 100).Select(_ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        foreach (var r in replies)
        {
            tracker.Track(r.Task);
        }
        Assert.Equal(100, tracker.InFlight);
        for (var i = 0; i < replies.Length; i++)
        {
            if (i % 10 == 3)
            {
                replies[i].SetException(new InvalidOperationException("lost " + i));
            }
            else
            {
                replies[i].SetResult(1);
            }
        }
        await Until(() => tracker.InFlight == 0, "every publish seen to complete");
        await Until(() => failures.Count == 10, "ten failures");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => "lost " + (i * 10 + 3)), failures);
    }

    [Fact]
    public async Task Publishes_answered_out_of_order_are_all_seen()
    {
        var failures = new ConcurrentQueue<string>();
        var tracker = new PublishTracker((ex, _) => failures.Enqueue(ex.Message));
        var first = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        tracker.Track(first.Task);
        tracker.Track(second.Task);
        second.SetResult(1);
        await Task.Delay(50);
        Assert.Equal(2, tracker.InFlight);
        first.SetException(new InvalidOperationException("first"));
        await Until(() => tracker.InFlight == 0, "both seen");
        Assert.Equal(["first"], failures);
    }

    [Fact]
    public void A_publish_that_failed_at_once_is_reported_at_once()
    {
        var failures = new List<string>();
        var tracker = new PublishTracker((ex, _) => failures.Add(ex.Message));
        tracker.Track(Task.FromException(new InvalidOperationException("refused")));
        tracker.Track(Task.CompletedTask);
        Assert.Equal(["refused"], failures);
        Assert.Equal(0, tracker.InFlight);
    }

    [Fact]
    public async Task Publishes_after_a_quiet_spell_are_watched_again()
    {
        var failures = new ConcurrentQueue<string>();
        var tracker = new PublishTracker((ex, _) => failures.Enqueue(ex.Message));
        var one = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        tracker.Track(one.Task);
        one.SetResult(1);
        await Until(() => tracker.InFlight == 0, "the first publish");
        var two = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        tracker.Track(two.Task);
        two.SetException(new InvalidOperationException("two"));
        await Until(() => tracker.InFlight == 0 && failures.Count == 1, "the second publish's failure");
        Assert.Equal(["two"], failures);
    }

    [Fact]
    public async Task A_publish_after_the_batcher_closed_fails_and_is_counted_and_one_before_is_sent()
    {
        var server = new RedisServer();
        await server.InitializeAsync();
        try
        {
            await Closing(server);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task Closing(RedisServer server)
    {
        await using var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        var failures = new ConcurrentQueue<(string, int)>();
        var tracker = new PublishTracker((ex, frames) => failures.Enqueue((ex.Message, frames)));
        var batcher = new PublishBatcher(mux.GetDatabase(), tracker, batchFrames: true);
        var channel = StackExchange.Redis.RedisChannel.Literal("exg-close-test");
        var received = new ConcurrentQueue<byte[]>();
        var queue = await mux.GetSubscriber().SubscribeAsync(channel);
        queue.OnMessage(m => received.Enqueue((byte[])m.Message!));
        Assert.True(batcher.Publish(channel, "exg1.before"u8.ToArray()));
        batcher.Close();
        Assert.False(batcher.Publish(channel, "exg1.after"u8.ToArray()));
        await Until(() => received.Count == 1 && tracker.InFlight == 0, "the publish before Close sent");
        Assert.Equal("exg1.before"u8.ToArray(), received.Single());
        Assert.Empty(failures);
    }

    [Fact]
    public async Task A_failed_publish_reports_every_frame_it_carried()
    {
        var failures = new ConcurrentQueue<(string, int)>();
        var tracker = new PublishTracker((ex, frames) => failures.Enqueue((ex.Message, frames)));
        var batch = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        tracker.Track(batch.Task, 37);
        tracker.Track(Task.FromException(new InvalidOperationException("at once")), 5);
        tracker.Failed(new InvalidOperationException("send threw"), 12);
        batch.SetException(new InvalidOperationException("lost"));
        await Until(() => tracker.InFlight == 0 && failures.Count == 3, "three failures");
        Assert.Equal([("at once", 5), ("send threw", 12), ("lost", 37)], failures);
    }

    [Fact]
    public void A_reply_that_never_comes_is_failed_after_the_deadline_and_the_failures_behind_it_are_reported()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var failures = new List<(string Message, int Frames)>();
        var tracker = new PublishTracker((ex, frames) => failures.Add((ex.Message, frames)), TimeSpan.FromSeconds(10), time);
        var stuck = new TaskCompletionSource<long>();
        var later = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource<long>()).ToArray();
        tracker.Track(stuck.Task, 5);
        foreach (var r in later)
        {
            tracker.Track(r.Task, 2);
        }
        foreach (var r in later)
        {
            r.SetException(new InvalidOperationException("refused"));
        }

        // before the deadline the head holds every reply behind it, answered or not
        time.Advance(TimeSpan.FromSeconds(9));
        tracker.ExpireOverdue();
        Assert.Empty(failures);
        Assert.Equal(4, tracker.InFlight);

        time.Advance(TimeSpan.FromSeconds(2));
        tracker.ExpireOverdue();
        Assert.Equal([("No reply to a publish within 10 s.", 5), ("refused", 2), ("refused", 2), ("refused", 2)], failures);
        Assert.Equal(0, tracker.InFlight);

        // an answer after all is not counted again
        stuck.SetException(new InvalidOperationException("late"));
        tracker.ExpireOverdue();
        Assert.Equal(4, failures.Count);
    }

    [Fact]
    public async Task Replies_after_an_expired_one_are_still_watched()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var failures = new ConcurrentQueue<string>();
        var tracker = new PublishTracker((ex, _) => failures.Enqueue(ex.Message), TimeSpan.FromSeconds(10), time);
        var stuck = new TaskCompletionSource<long>();
        var next = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        tracker.Track(stuck.Task);
        time.Advance(TimeSpan.FromSeconds(11));
        tracker.Track(next.Task);
        tracker.ExpireOverdue();
        Assert.Equal(1, tracker.InFlight);
        // no further tick: the fresh watch alone must see it
        next.SetException(new InvalidOperationException("next"));
        await Until(() => tracker.InFlight == 0, "the reply after the expired one");
        Assert.Equal(["No reply to a publish within 10 s.", "next"], failures);
    }

    [Fact]
    public void At_close_every_reply_still_awaited_is_counted_once()
    {
        var failures = new List<(string Message, int Frames)>();
        var tracker = new PublishTracker((ex, frames) => failures.Add((ex.Message, frames)));
        var never = new TaskCompletionSource<long>();
        var answered = new TaskCompletionSource<long>();
        var refused = new TaskCompletionSource<long>();
        tracker.Track(never.Task, 4);
        tracker.Track(answered.Task, 1);
        tracker.Track(refused.Task, 2);
        answered.SetResult(1);
        refused.SetException(new InvalidOperationException("refused"));
        Assert.Equal(1, tracker.FailRemaining(new InvalidOperationException("closed")));
        Assert.Equal([("closed", 4), ("refused", 2)], failures);
        Assert.Equal(0, tracker.InFlight);
        never.SetException(new InvalidOperationException("late"));
        Assert.Equal(2, failures.Count);
    }
}

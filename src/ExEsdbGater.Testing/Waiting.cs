using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace ExEsdbGater.Testing;

/// <summary>
/// Polls a condition until it holds, and fails the test when the patience runs out. Polls every 5 ms at first,
/// then less often (up to every 50 ms) while the wait goes on, so that a costly condition does not take the cores
/// the awaited work needs. The patience is a safety limit for a test that would otherwise hang, never a speed
/// requirement.
/// </summary>
public static class Waiting
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>The patience when none is given: 60 seconds (a busy CI machine, not a slow library).</summary>
    public static TimeSpan DefaultPatience { get; } = TimeSpan.FromSeconds(60);

    /// <summary>Waits until <paramref name="condition"/> holds; the failure message names <paramref name="what"/>.</summary>
    /// <param name="condition">Polled until true.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    /// <param name="patience">How long at most; default <see cref="DefaultPatience"/>; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>.</param>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? patience = null, CancellationToken cancellationToken = default)
        => UntilAsync(condition, () => what, patience, cancellationToken);

    /// <summary>Waits until <paramref name="condition"/> holds; <paramref name="what"/> is asked only on failure, so it can report the state then.</summary>
    /// <param name="condition">Polled until true.</param>
    /// <param name="what">What is awaited, for the failure message; called only when the patience runs out.</param>
    /// <param name="patience">How long at most; default <see cref="DefaultPatience"/>; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Ends the wait with <see cref="OperationCanceledException"/>.</param>
    public static async Task UntilAsync(Func<bool> condition, Func<string> what, TimeSpan? patience = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(what);
        var limit = patience ?? DefaultPatience;
        if (limit < TimeSpan.Zero && limit != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(patience), limit, "The patience must not be negative (or must be Timeout.InfiniteTimeSpan).");
        }
        var started = Stopwatch.GetTimestamp();
        var poll = FirstPoll;
        while (!condition())
        {
            if (limit != Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(started) >= limit)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds:0.#} s waiting for: {what()}");
            }
            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, LongestPoll.Ticks));
        }
    }
}

/// <summary>One frame as a backplane handed it over.</summary>
internal sealed record ReceivedFrame(GaterInstance Instance, string Topic, ReadOnlyMemory<byte> Frame)
{
    public string Text => Encoding.UTF8.GetString(Frame.Span);
}

/// <summary>Records what one backplane subscription receives, in arrival order.</summary>
internal sealed class FrameLog
{
    private readonly ConcurrentQueue<ReceivedFrame> _frames = new();

    public BackplaneFrameHandler Handler => (instance, topic, frame) => _frames.Enqueue(new ReceivedFrame(instance, topic, frame));

    public IReadOnlyList<ReceivedFrame> Frames => [.. _frames];

    public int Count => _frames.Count;

    /// <summary>True once a frame with this UTF-8 text has arrived.</summary>
    public bool Has(string text) => _frames.Any(f => f.Text == text);

    /// <summary>The texts of the frames that arrived, without the given marker.</summary>
    public string[] TextsBefore(string marker) => [.. _frames.Select(f => f.Text).TakeWhile(t => t != marker)];
}

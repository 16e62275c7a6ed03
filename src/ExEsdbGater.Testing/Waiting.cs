using System.Collections.Concurrent;
using System.Text;

namespace ExEsdbGater.Testing;

/// <summary>
/// Polls a condition every 5 ms until it holds, and fails the test when the patience runs out. The patience is a
/// safety limit for a test that would otherwise hang, never a speed requirement.
/// </summary>
public static class Waiting
{
    /// <summary>The patience when none is given: 60 seconds (a busy CI machine, not a slow library).</summary>
    public static TimeSpan DefaultPatience { get; } = TimeSpan.FromSeconds(60);

    /// <summary>Waits until <paramref name="condition"/> holds; the failure message names <paramref name="what"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? patience = null)
        => UntilAsync(condition, () => what, patience);

    /// <summary>Waits until <paramref name="condition"/> holds; <paramref name="what"/> is asked only on failure, so it can report the state then.</summary>
    public static async Task UntilAsync(Func<bool> condition, Func<string> what, TimeSpan? patience = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(what);
        var deadline = DateTime.UtcNow + (patience ?? DefaultPatience);
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail("timed out waiting for: " + what());
            }
            await Task.Delay(5).ConfigureAwait(false);
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

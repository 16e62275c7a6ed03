using System.Collections.Concurrent;
using System.Text;

namespace ExEsdbGater.Testing;

/// <summary>Polls a condition until it holds; the patience is a safety limit, never a speed requirement.</summary>
internal static class Waiting
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan patience, string what)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(5);
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

using System.Runtime.InteropServices;

namespace ExEsdbGater.Bus;

/// <summary>
/// Per-publisher sequence positions, (node, instance, topic) → (epoch, seq), for gap detection. Thread-safe:
/// frames of different channels may be received concurrently.
/// </summary>
internal sealed class SequenceTracker(int capacity)
{
    private readonly Dictionary<(string Node, GaterInstance Instance, string Topic), (long Epoch, long Seq)> _positions = [];
    private readonly Lock _lock = new();

    /// <summary>Records a verified envelope; returns the gap it reveals, if any. Old or repeated seqs never move a position back.</summary>
    public SequenceGap? Track(Envelope env)
    {
        var key = (env.Node, env.Instance, env.Topic);
        lock (_lock)
        {
            // one lookup: the key hashes two strings, on every received frame
            ref var last = ref CollectionsMarshal.GetValueRefOrAddDefault(_positions, key, out var known);
            if (known && last.Epoch == env.Epoch)
            {
                if (env.Seq == 1 && last.Seq > 1)
                {
                    // the publisher forgot this idle topic and starts it again: a new stream, not a gap
                    last = (env.Epoch, 1);
                    return null;
                }
                if (env.Seq <= last.Seq)
                {
                    return null;
                }
                var gap = env.Seq > last.Seq + 1 ? new SequenceGap(env.Node, env.Epoch, env.Instance, env.Topic, last.Seq + 1, env.Seq) : null;
                last = (env.Epoch, env.Seq);
                return gap;
            }
            if (_positions.Count - (known ? 0 : 1) >= capacity)
            {
                // bounded memory: forget every publisher's position rather than grow without limit
                _positions.Clear();
                _positions[key] = (env.Epoch, env.Seq);
                return null;
            }
            last = (env.Epoch, env.Seq);
            return null;
        }
    }
}

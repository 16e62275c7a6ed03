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
            SequenceGap? gap = null;
            if (_positions.TryGetValue(key, out var last) && last.Epoch == env.Epoch && env.Seq == 1 && last.Seq > 1)
            {
                // the publisher forgot this idle topic and starts it again: a new stream, not a gap
                _positions[key] = (env.Epoch, 1);
                return null;
            }
            if (_positions.TryGetValue(key, out last) && last.Epoch == env.Epoch)
            {
                if (env.Seq > last.Seq + 1)
                {
                    gap = new SequenceGap(env.Node, env.Epoch, env.Instance, env.Topic, last.Seq + 1, env.Seq);
                }
                if (env.Seq <= last.Seq)
                {
                    return null;
                }
            }
            else if (_positions.Count >= capacity)
            {
                // bounded memory: forget every publisher's position rather than grow without limit
                _positions.Clear();
            }
            _positions[key] = (env.Epoch, env.Seq);
            return gap;
        }
    }
}

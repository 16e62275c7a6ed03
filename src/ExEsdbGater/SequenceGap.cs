namespace ExEsdbGater;

/// <summary>A gap in a publisher's sequence: frames lost between two received ones.</summary>
/// <param name="Node">The publisher.</param>
/// <param name="Epoch">The publisher's epoch.</param>
/// <param name="Instance">The instance.</param>
/// <param name="Topic">The topic.</param>
/// <param name="Expected">The seq that should have come next.</param>
/// <param name="Received">The seq that came.</param>
public sealed record SequenceGap(string Node, long Epoch, GaterInstance Instance, string Topic, long Expected, long Received)
{
    /// <summary>How many frames were lost.</summary>
    public long Missing => Received - Expected;
}

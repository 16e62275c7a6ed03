namespace ExEsdbGater.Beam.Terms;

/// <summary>
/// Bounds on what <see cref="EtfReader"/> accepts from a peer, so a hostile term costs at most memory proportional to
/// these numbers. Every declared length is also checked against the bytes actually left before anything is allocated.
/// </summary>
internal sealed record TermLimits
{
    /// <summary>The defaults: depth 256, 8 MiB of input, 1,048,576 elements per container, 8 MiB uncompressed.</summary>
    public static readonly TermLimits Default = new();

    /// <summary>Deepest nesting of tuples, lists, maps and improper tails (default 256; the reader recurses).</summary>
    public int MaxDepth { get; init => field = Positive(value); } = 256;

    /// <summary>Most bytes one encoded term may take (default 8 MiB).</summary>
    public int MaxBytes { get; init => field = Positive(value); } = 8 * 1024 * 1024;

    /// <summary>Most elements of one tuple, list or map (in pairs) (default 1,048,576). Binaries are bounded by MaxBytes.</summary>
    public int MaxElements { get; init => field = Positive(value); } = 1024 * 1024;

    /// <summary>Largest uncompressed size a COMPRESSED term may declare (default 8 MiB).</summary>
    public int MaxUncompressedBytes { get; init => field = Positive(value); } = 8 * 1024 * 1024;

    private static int Positive(int value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
        => value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, "a term limit must be positive");
}

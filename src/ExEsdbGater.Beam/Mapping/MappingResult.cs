using ExEsdbGater.Frames;
using ExEsdbGater.Messages;
namespace ExEsdbGater.Beam.Mapping;

/// <summary>
/// The outcome of mapping a received term to a typed message: the message, or the project's reason
/// (<c>invalid_format</c>, <c>unknown_type</c>, <c>invalid_payload</c>) with a detail naming the problem.
/// </summary>
internal sealed record MappingResult
{
    public GaterMessage? Message { get; private init; }

    /// <summary>True when the original's struct has no <c>node</c> and the message's node is the sending node.</summary>
    public bool NodeFilled { get; private init; }

    /// <summary>The received terms of the fields (to map back byte for byte); null on failure.</summary>
    public TermOrigin? Origin { get; private init; }

    /// <summary>The message's <c>node</c> field, when its type has one (the sending node for the seven that lack it).</summary>
    public string? Node { get; private init; }

    public RejectReason? Error { get; private init; }

    /// <summary>What was wrong (empty when ok), e.g. <c>field status: expected an atom, not the integer 3</c>.</summary>
    public string Detail { get; private init; } = "";

    public bool IsOk => Message is not null;

    public static MappingResult Ok(GaterMessage message, bool nodeFilled, TermOrigin? origin, string? node = null)
        => new() { Message = message, NodeFilled = nodeFilled, Origin = origin, Node = node };

    public static MappingResult Fail(RejectReason reason, string detail) => new() { Error = reason, Detail = detail };

    public override string ToString() => IsOk ? $"ok {Message!.Tag}{(NodeFilled ? " (node filled)" : "")}" : $"{Error!.Value.WireName()}: {Detail}";
}

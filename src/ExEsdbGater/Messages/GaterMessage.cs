using System.Text.Json.Serialization;

namespace ExEsdbGater.Messages;

/// <summary>A message payload of the catalog: an immutable record with a wire tag.</summary>
/// <remarks>
/// Equality is by value over the payload's fields. A bus publishing a message whose node fields a factory filled
/// from <see cref="MessageContext.Default"/> (no node and no context given) publishes a copy with those fields set to
/// the bus's own node; fields the caller gave, directly, through a context or with <c>with</c>, are kept.
/// </remarks>
public abstract record GaterMessage
{
    /// <summary>The message tag on the wire (the frame's <c>type</c>).</summary>
    [JsonIgnore]
    public abstract string Tag { get; }

    /// <summary>The instance this message type belongs to.</summary>
    [JsonIgnore]
    public abstract GaterInstance Instance { get; }

    /// <summary>
    /// Bit i: the type's i-th <c>this_node</c> field was filled by its factory from <see cref="MessageContext.Default"/>.
    /// Generated init accessors clear their bit, so a value the caller sets is never rebound. Not part of the value.
    /// </summary>
    internal int DefaultedNodeFields { get; init; }

    /// <inheritdoc />
    public virtual bool Equals(GaterMessage? other)
        => ReferenceEquals(this, other) || (other is not null && EqualityContract == other.EqualityContract);

    /// <inheritdoc />
    public override int GetHashCode() => EqualityContract.GetHashCode();

    // Generated per payload type from the catalog; a type outside the catalog is unknown.
    internal virtual ValidationResult Validate() => ValidationResult.Fail(ValidationError.UnknownType, GetType().Name);

    /// <summary>This message with the node fields in <see cref="DefaultedNodeFields"/> set to <paramref name="node"/> (generated).</summary>
    internal virtual GaterMessage BindDefaultedNodes(string node) => this;
}

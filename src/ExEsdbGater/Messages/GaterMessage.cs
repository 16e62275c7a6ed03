using System.Text.Json.Serialization;

namespace ExEsdbGater.Messages;

/// <summary>A message payload of the catalog: an immutable record with a wire tag.</summary>
public abstract record GaterMessage
{
    /// <summary>The message tag on the wire (the frame's <c>type</c>).</summary>
    [JsonIgnore]
    public abstract string Tag { get; }

    /// <summary>The instance this message type belongs to.</summary>
    [JsonIgnore]
    public abstract GaterInstance Instance { get; }

    // Generated per payload type from the catalog; a type outside the catalog is unknown.
    internal virtual ValidationResult Validate() => ValidationResult.Fail(ValidationError.UnknownType, GetType().Name);
}

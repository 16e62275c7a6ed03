using System.Text.Json.Serialization;

namespace ExEsdbGater.Messages;

/// <summary>An application-defined message of the <c>ex_esdb_events</c> instance: any type, any object payload.</summary>
/// <param name="Type">The message type, <c>[a-z][a-z0-9_]{0,63}</c>.</param>
/// <param name="Payload">The payload object.</param>
public sealed record ApplicationEvent(string Type, JsonMap Payload) : GaterMessage
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Tag => Type;

    /// <inheritdoc />
    [JsonIgnore]
    public override GaterInstance Instance => GaterInstance.Events;

    internal override ValidationResult Validate()
        => FrameRules.IsValidType(Type) ? ValidationResult.Ok : ValidationResult.Fail(ValidationError.InvalidFields, "type");
}

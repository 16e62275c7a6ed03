using System.Text.Json;

namespace ExEsdbGater.Messages;

/// <summary>The outcome of validating a message: ok, or an error kind with the fields concerned.</summary>
public sealed record ValidationResult
{
    private ValidationResult(ValidationError? error, IReadOnlyList<string> fields)
    {
        Error = error;
        Fields = fields;
    }

    /// <summary>The ok result.</summary>
    public static ValidationResult Ok { get; } = new(null, []);

    internal static ValidationResult Fail(ValidationError error, params IReadOnlyList<string> fields) => new(error, fields);

    /// <summary>True when the message is valid.</summary>
    public bool IsOk => Error is null;

    /// <summary>The error kind, or null when ok.</summary>
    public ValidationError? Error { get; }

    /// <summary>The wire name of the error (<c>missing_fields</c>, …), or <c>ok</c>.</summary>
    public string Name => Error is { } e ? JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()) : "ok";

    /// <summary>The fields concerned (wire names).</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>e.g. <c>missing_fields: status, node</c>.</summary>
    public override string ToString() => Fields.Count == 0 ? Name : $"{Name}: {string.Join(", ", Fields)}";
}

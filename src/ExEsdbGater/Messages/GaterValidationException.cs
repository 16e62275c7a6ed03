namespace ExEsdbGater.Messages;

/// <summary>Thrown when a message that fails validation is published.</summary>
public sealed class GaterValidationException : Exception
{
    internal GaterValidationException(string typeName, ValidationResult result)
        : base($"{typeName} is not valid: {result}")
    {
        Result = result;
    }

    /// <summary>The failed result.</summary>
    public ValidationResult Result { get; }
}

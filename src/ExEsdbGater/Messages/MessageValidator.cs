namespace ExEsdbGater.Messages;

/// <summary>The internal side of validation: the per-type checks are generated into each payload record.</summary>
internal static class MessageValidator
{
    public static ValidationResult Validate(GaterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Validate();
    }

    public static bool HasNullItem<T>(ValueList<T> list)
        where T : class
    {
        foreach (var item in list)
        {
            if (item is null)
            {
                return true;
            }
        }
        return false;
    }
}

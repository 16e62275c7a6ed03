namespace ExEsdbGater.Messages;

/// <summary>The internal side of validation: the per-type checks are generated into each payload record.</summary>
internal static class MessageValidator
{
    public static ValidationResult Validate(GaterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Validate();
    }

    /// <summary>The first node field whose value is not a node name, or null (the verifier's per-frame check).</summary>
    public static string? FirstInvalidNodeField(MessageTypeInfo info, GaterMessage message)
    {
        foreach (var f in info.Fields)
        {
            if (f.IsNodeField && f.GetValue(message) is string s && !NodeName.IsValid(s))
            {
                return f.Name;
            }
        }
        return null;
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

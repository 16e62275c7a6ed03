namespace ExEsdbGater;

/// <summary>The instance registry of the original <c>ExESDBGater.Messages</c>: instances, modules, validation by instance.</summary>
public static class GaterMessages
{
    /// <summary>Instance wire name → module, for the nine instances that have one.</summary>
    public static IReadOnlyDictionary<string, MessageModule> InstanceToModuleMap { get; }
        = MessageCatalog.Modules.ToDictionary(m => m.Instance.WireName(), StringComparer.Ordinal);

    /// <summary>The nine instance names that have a message module.</summary>
    public static IReadOnlyList<string> SupportedInstances { get; } = MessageCatalog.Modules.Select(m => m.Instance.WireName()).ToArray();

    /// <summary>The nine message modules.</summary>
    public static IReadOnlyList<MessageModule> AllModules => MessageCatalog.Modules;

    /// <summary>The module of an instance name, or null for an unknown instance (or <c>ex_esdb_events</c>).</summary>
    public static MessageModule? ModuleForInstance(string? instance)
        => instance is not null && InstanceToModuleMap.TryGetValue(instance, out var m) ? m : null;

    /// <summary>Validates a message with the module of the named instance; <c>unknown_instance</c> when it has none.</summary>
    public static ValidationResult ValidateMessage(string? instance, GaterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var module = ModuleForInstance(instance);
        if (module is null)
        {
            return ValidationResult.Fail(ValidationError.UnknownInstance, instance ?? "null");
        }
        if (message.Instance != module.Instance)
        {
            return ValidationResult.Fail(ValidationError.WrongInstance, message.Tag);
        }
        return MessageValidator.Validate(message);
    }
}

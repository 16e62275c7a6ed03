namespace ExEsdbGater.Messages;

/// <summary>Defaults of the catalog's factory rules that need more than the message context.</summary>
internal static class FactoryRules
{
    /// <summary>The <c>calling_process</c> rule: the .NET stand-in for the caller's pid (process id and thread id).</summary>
    public static string CallingProcess() => $"{Environment.ProcessId}.{Environment.CurrentManagedThreadId}";
}

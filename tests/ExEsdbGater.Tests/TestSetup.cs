using System.Runtime.CompilerServices;
using ExEsdbGater;

namespace ExEsdbGater.Tests;

internal static class TestSetup
{
    // Factories called without a context use the default; fix it so environment tests cannot disturb it.
    [ModuleInitializer]
    internal static void Init() => MessageContext.Default = new MessageContext("tests@localhost");
}

// The hand-written part of AlertMessages: factory values the catalog marks "custom" (the rest is generated).

namespace ExEsdbGater.Messages;

public static partial class AlertMessages
{
    // The original acknowledges by default only what can wake someone up.
    private static partial bool SystemAlertRequiresAck(AlertSeverity severity) => severity is AlertSeverity.Error or AlertSeverity.Critical;
}

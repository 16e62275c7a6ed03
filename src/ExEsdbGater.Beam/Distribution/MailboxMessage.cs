using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Distribution;

/// <summary>
/// A message in a mailbox: the sender when known (SEND_SENDER, REG_SEND, links and monitors) and the term. A monitor's
/// end arrives as <c>{'DOWN', Ref, process, Pid, Reason}</c>, a link's as <c>{'EXIT', Pid, Reason}</c>.
/// </summary>
internal readonly record struct MailboxMessage(Pid? Sender, Term Message);

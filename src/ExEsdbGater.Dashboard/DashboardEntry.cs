namespace ExEsdbGater.Dashboard;

/// <summary>One line of a feed (audit, security, logs, rejections): plain text, shown as text by the page.</summary>
internal sealed record DashboardEntry(long Time, string Node, string Kind, string Text);

using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Hosting.Bridges;

/// <summary>The logger of one category: copies each call it accepts into the bridge's bounded queue.</summary>
internal sealed class LogBridgeLogger(LogBridge bridge, string category) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => bridge.Accepts(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!bridge.Accepts(logLevel))
        {
            return;
        }
        var pairs = new List<KeyValuePair<string, object?>>();
        if (state is IReadOnlyList<KeyValuePair<string, object?>> structured)
        {
            foreach (var (key, value) in structured)
            {
                pairs.Add(new(key == "{OriginalFormat}" ? "template" : key, value));
            }
        }
        pairs.Add(new("category", category));
        if (eventId.Id != 0)
        {
            pairs.Add(new("event_id", eventId.Id));
        }
        if (eventId.Name is { } eventName)
        {
            pairs.Add(new("event_name", eventName));
        }
        if (exception is not null)
        {
            pairs.Add(new("exception", $"{exception.GetType().FullName}: {exception.Message}"));
        }
        var message = formatter(state, exception);
        bridge.Enqueue(new LogRecord(logLevel, category, string.IsNullOrEmpty(message) ? "(empty)" : message, JsonValues.Map(pairs)));
    }
}

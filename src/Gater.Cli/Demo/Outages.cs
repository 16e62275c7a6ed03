using System.Globalization;
using ExEsdbGater.Backplanes;
using Microsoft.Extensions.Logging;

namespace Gater.Cli.Demo;

/// <summary>
/// What the demo's nodes lost to Redis outages: disconnects and reconnects (the bus's BackplaneStateChanged) and
/// failed publishes. The Redis backplane fails a publish at once while disconnected and logs one warning per failure
/// (it does not throw), so failures are counted from its log, plus any publish that did throw.
/// </summary>
internal sealed class Outages : ILoggerFactory
{
    private long _failedPublishes;
    private long _disconnects;
    private long _reconnects;
    private int _down;

    public long Disconnects => Interlocked.Read(ref _disconnects);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Publishes the backplane reported as failed; add the ones that threw.</summary>
    public long FailedPublishes => Interlocked.Read(ref _failedPublishes);

    /// <summary>Connections currently down.</summary>
    public int Down => Volatile.Read(ref _down);

    public DateTimeOffset? DownSince { get; private set; }

    /// <summary>Counts a state change; returns the line that reports it.</summary>
    public string On(string node, BackplaneStateChange change)
    {
        if (change.State == BackplaneState.Disconnected)
        {
            Interlocked.Increment(ref _disconnects);
            if (Interlocked.Increment(ref _down) == 1)
            {
                DownSince = DateTimeOffset.UtcNow;
            }
        }
        else if (change.State == BackplaneState.Reconnected)
        {
            Interlocked.Increment(ref _reconnects);
            if (Interlocked.Decrement(ref _down) <= 0)
            {
                Volatile.Write(ref _down, 0);
                DownSince = null;
            }
        }
        return Cli.JsonLine(w =>
        {
            w.WriteStartObject();
            w.WriteString("backplane", change.State.ToString().ToLowerInvariant());
            w.WriteString("node", node);
            w.WriteString("detail", change.Detail);
            w.WriteNumber("at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            w.WriteEndObject();
        });
    }

    public static string Notice(string node, BackplaneStateChange change) => change.State switch
    {
        BackplaneState.Disconnected => $"gater demo: {node}: redis disconnected ({change.Detail}); publishing fails until it is back",
        BackplaneState.Reconnected => $"gater demo: {node}: redis reconnected ({change.Detail})",
        _ => $"gater demo: {node}: redis {change.State.ToString().ToLowerInvariant()} ({change.Detail})",
    };

    public static string Summary(long disconnects, long failed) => string.Create(CultureInfo.InvariantCulture,
        $"gater demo: redis was lost {disconnects} time(s) during the run; {failed} publish(es) failed and went nowhere");

    ILogger ILoggerFactory.CreateLogger(string categoryName) => new FailureLog(this, categoryName == "ExEsdbGater.Redis");

    void ILoggerFactory.AddProvider(ILoggerProvider provider)
    {
    }

    void IDisposable.Dispose()
    {
    }

    private sealed class FailureLog(Outages owner, bool counts) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => counts && logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                // the backplane's only warning: "Redis publish failed: …"
                Interlocked.Increment(ref owner._failedPublishes);
            }
        }
    }
}

using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Hosting.Bridges;

/// <summary>
/// Publishes the host's logs as LogEntry messages. Bounded twice: a queue that drops (and counts) what it cannot
/// hold, and a token bucket of <see cref="GaterLogBridgeOptions.MaxPerSecond"/>. Never feeds itself: the bus's own
/// categories are excluded, and nothing logged on the publishing flow is accepted.
/// </summary>
internal sealed class LogBridge : GaterBridge, ILoggerProvider
{
    /// <summary>The library's own log categories (and those under them): they never reach the bus.</summary>
    public static readonly IReadOnlyList<string> OwnCategories = ["ExEsdbGater.Bus", "ExEsdbGater.FrameVerifier", "ExEsdbGater.Redis", "ExEsdbGater.Hosting"];

    // True on the publishing flow: whatever the bus logs while we publish stays out.
    private static readonly AsyncLocal<bool> s_publishing = new();

    private readonly GaterLogBridgeOptions _options;
    private readonly Channel<LogRecord> _queue;
    private readonly CancellationTokenSource _stop = new();
    private GaterBusRuntime? _runtime;
    private Task? _pump;
    private long _published, _dropped, _failed, _reportedDropped;
    private int _disposed;
    private DateTimeOffset _lastDropReport;

    public LogBridge(GaterLogBridgeOptions options)
    {
        _options = options;
        _queue = Channel.CreateBounded<LogRecord>(new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true }, _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>Entries published.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Entries dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Entries the bus refused (e.g. while stopping).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Entries waiting now.</summary>
    public int Queued => _queue.Reader.Count;

    public LogBridge Attach(GaterBusRuntime runtime)
    {
        _runtime = runtime;
        return this;
    }

    public ILogger CreateLogger(string categoryName)
    {
        ArgumentNullException.ThrowIfNull(categoryName);
        var excluded = OwnCategories.Concat(_options.ExcludedCategories).Any(p => categoryName == p || categoryName.StartsWith(p + ".", StringComparison.Ordinal));
        return excluded ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : new LogBridgeLogger(this, categoryName);
    }

    public bool Accepts(LogLevel level) => level >= _options.MinimumLevel && level != LogLevel.None && !s_publishing.Value && !_stop.IsCancellationRequested;

    public void Enqueue(LogRecord record) => _queue.Writer.TryWrite(record);

    public override Task StartingAsync(CancellationToken cancellationToken)
    {
        _pump = Task.Run(PumpAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public override async Task StoppedAsync(CancellationToken cancellationToken)
    {
        // what was logged up to now still goes out, within the shutdown timeout
        _queue.Writer.TryComplete();
        if (_pump is null)
        {
            return;
        }
        try
        {
            await _pump.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _pump.ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _queue.Writer.TryComplete();
        _stop.Cancel();
        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        s_publishing.Value = true;
        var runtime = _runtime!;
        var ct = _stop.Token;
        double tokens = _options.MaxPerSecond;
        var last = runtime.Time.GetTimestamp();
        try
        {
            await foreach (var record in _queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                var now = runtime.Time.GetTimestamp();
                tokens = Math.Min(_options.MaxPerSecond, tokens + (runtime.Time.GetElapsedTime(last, now).TotalSeconds * _options.MaxPerSecond));
                last = now;
                if (tokens < 1)
                {
                    await Task.Delay(TimeSpan.FromSeconds((1 - tokens) / _options.MaxPerSecond), runtime.Time, ct).ConfigureAwait(false);
                    tokens = 1;
                    last = runtime.Time.GetTimestamp();
                }
                tokens--;
                await PublishAsync(runtime, record, ct).ConfigureAwait(false);
                await ReportDropsAsync(runtime, ct).ConfigureAwait(false);
            }
            await ReportDropsAsync(runtime, ct, force: true).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task PublishAsync(GaterBusRuntime runtime, LogRecord record, CancellationToken ct)
    {
        var ctx = runtime.Context;
        var entry = LoggingMessages.LogEntry(Level(record.Level), JsonValues.Cut(record.Message, _options.MaxMessageLength), record.Category, metadata: record.Metadata, messageContext: ctx);
        var topic = record.Level >= LogLevel.Error ? LoggingMessages.ErrorLogsTopic : LoggingMessages.ApplicationLogsTopic;
        try
        {
            await runtime.Bus.BroadcastAsync(topic, entry, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _published);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or GaterSecurityException or GaterValidationException or GaterBackplaneException)
        {
            // logging about it would come straight back here: counted instead
            Interlocked.Increment(ref _failed);
        }
    }

    // Drops are reported in the stream itself, at most every 10 seconds, so a reader knows entries are missing.
    private async Task ReportDropsAsync(GaterBusRuntime runtime, CancellationToken ct, bool force = false)
    {
        var dropped = Interlocked.Read(ref _dropped);
        var now = runtime.Time.GetUtcNow();
        if (dropped == _reportedDropped || (!force && now - _lastDropReport < TimeSpan.FromSeconds(10)))
        {
            return;
        }
        var message = $"The log bridge dropped {dropped - _reportedDropped} entries (queue of {_options.QueueCapacity} full at {_options.MaxPerSecond}/s); {dropped} in all.";
        _reportedDropped = dropped;
        _lastDropReport = now;
        await PublishAsync(runtime, new LogRecord(LogLevel.Warning, "ExEsdbGater.Hosting.LogBridge", message, JsonMap.Of(("dropped", dropped))), ct).ConfigureAwait(false);
    }

    private static LogEntryLevel Level(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => LogEntryLevel.Debug,
        LogLevel.Information => LogEntryLevel.Info,
        LogLevel.Warning => LogEntryLevel.Warn,
        LogLevel.Error => LogEntryLevel.Error,
        _ => LogEntryLevel.Critical,
    };
}

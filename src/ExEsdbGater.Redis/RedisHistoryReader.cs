using ExEsdbGater.Backplanes;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

/// <summary>Reads a stream from a position without a group (XRANGE), then follows new entries.</summary>
internal sealed class RedisHistoryReader : IDurableStreamReader
{
    private readonly RedisDurableConnection _conn;
    private readonly GaterInstance _instance;
    private readonly RedisDurableConnection.Wakeups _wakeups;
    private readonly SemaphoreSlim _signal;
    private string _start;
    private long _lastPosition;
    private bool _endReported;

    public RedisHistoryReader(RedisDurableConnection conn, GaterInstance instance, StreamPosition from, RedisDurableConnection.Wakeups wakeups)
    {
        _conn = conn;
        _instance = instance;
        _start = from.ToStreamId();
        // from the beginning, everything before the first entry kept was trimmed: counted from position 0
        _lastPosition = from.IsBeginning ? 0 : -1;
        _wakeups = wakeups;
        _signal = wakeups.Register();
    }

    public async ValueTask<DurableBatch> ReadAsync(int max, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var raw = (RedisResult[])(await _conn.Database.ExecuteAsync("XRANGE", _conn.StreamKey(_instance), _start, "+", "COUNT", max).ConfigureAwait(false))!;
            var entries = new List<DurableEntry>(raw.Length);
            long missing = 0;
            foreach (var e in raw)
            {
                if (RedisDurableConnection.ParseEntry(e, redelivered: false) is not { } p)
                {
                    continue;
                }
                if (_lastPosition >= 0 && p.Position > 0)
                {
                    missing += Math.Max(0, p.Position - _lastPosition - 1);
                }
                if (p.Position > 0)
                {
                    _lastPosition = p.Position;
                }
                _start = "(" + p.Id;
                entries.Add(p);
            }
            if (entries.Count > 0 || missing > 0)
            {
                return new DurableBatch(entries, missing, raw.Length < max);
            }
            if (!_endReported)
            {
                _endReported = true;
                return new DurableBatch([], 0, true);
            }
            await _signal.WaitAsync(_conn.Fallback, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask AcknowledgeAsync(IReadOnlyList<string> entryIds, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DeadLetterAsync(DurableEntry entry, string reason, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _wakeups.Unregister(_signal);
        return ValueTask.CompletedTask;
    }
}

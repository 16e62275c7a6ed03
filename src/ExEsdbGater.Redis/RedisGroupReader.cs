using System.Globalization;
using ExEsdbGater.Backplanes;
using StackExchange.Redis;

namespace ExEsdbGater.Redis;

/// <summary>
/// A consumer of a group: first its own pending entries (left by an earlier run with the same name), then entries
/// idle too long at other consumers (XAUTOCLAIM), then new ones; waits for the append notification in between.
/// </summary>
internal sealed class RedisGroupReader : IDurableStreamReader
{
    // Creates the group at the end of the stream and records the position it starts after (the meta hash's count).
    private const string CreateScript = """
        local ok = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '$', 'MKSTREAM')
        if type(ok) == 'table' and ok.err then
          if string.find(ok.err, 'BUSYGROUP') then return 0 end
          return ok
        end
        redis.call('HSET', KEYS[2], 'g:' .. ARGV[1], redis.call('HGET', KEYS[2], 'added') or '0')
        return 1
        """;

    // New entries and the position the group had read up to, in one atomic step: what lies between was trimmed unread.
    private const string ReadNewScript = """
        local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[1], '>')
        if not r then return {} end
        local es = r[1][2]
        local prev = redis.call('HGET', KEYS[2], 'g:' .. ARGV[1]) or ''
        local f = es[#es][2]
        for i = 1, #f, 2 do
          if f[i] == 'n' then redis.call('HSET', KEYS[2], 'g:' .. ARGV[1], f[i + 1]) end
        end
        return {prev, es}
        """;

    private const string DeadLetterScript = """
        redis.call('XADD', KEYS[2], '*', 'n', ARGV[3], 't', ARGV[4], 'f', ARGV[5], 'from', ARGV[2], 'reason', ARGV[6])
        return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        """;

    private readonly RedisDurableConnection _conn;
    private readonly GaterInstance _instance;
    private readonly string _group;
    private readonly string _consumer;
    private readonly long _claimIdleMs;
    private readonly TimeSpan _claimEvery;
    private readonly RedisDurableConnection.Wakeups _wakeups;
    private readonly SemaphoreSlim _signal;
    private string? _ownCursor = "0";
    private string _claimCursor = "0-0";
    private long _lastClaimScan = Environment.TickCount64;

    public RedisGroupReader(RedisDurableConnection conn, GaterInstance instance, string group, string consumer, TimeSpan claimIdle, RedisDurableConnection.Wakeups wakeups)
    {
        _conn = conn;
        _instance = instance;
        _group = group;
        _consumer = consumer;
        _claimIdleMs = (long)claimIdle.TotalMilliseconds;
        _claimEvery = TimeSpan.FromTicks(Math.Min(claimIdle.Ticks / 2, conn.Fallback.Ticks));
        _wakeups = wakeups;
        _signal = wakeups.Register();
    }

    public async Task CreateGroupAsync()
        => await _conn.Database.ScriptEvaluateAsync(CreateScript, [_conn.StreamKey(_instance), _conn.MetaKey(_instance)], [_group]).ConfigureAwait(false);

    public async ValueTask<DurableBatch> ReadAsync(int max, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (_ownCursor is not null && await ReadOwnPendingAsync(max).ConfigureAwait(false) is { } own)
                {
                    return own;
                }
                if (Environment.TickCount64 - _lastClaimScan >= _claimEvery.TotalMilliseconds && await ClaimAsync(max).ConfigureAwait(false) is { } claimed)
                {
                    return claimed;
                }
                if (await ReadNewAsync(max).ConfigureAwait(false) is { } fresh)
                {
                    return fresh;
                }
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // the stream or group is gone (deleted, or Redis lost its data): start again at the end
                await CreateGroupAsync().ConfigureAwait(false);
                continue;
            }
            await _signal.WaitAsync(_conn.Fallback, cancellationToken).ConfigureAwait(false);
        }
    }

    // Own pending entries from an earlier run (same consumer name): read once, from the start of the pending list.
    private async Task<DurableBatch?> ReadOwnPendingAsync(int max)
    {
        var r = await _conn.Database.ExecuteAsync("XREADGROUP", "GROUP", _group, _consumer, "COUNT", max, "STREAMS", _conn.StreamKey(_instance), _ownCursor!).ConfigureAwait(false);
        var entries = new List<DurableEntry>();
        var gone = new List<string>();
        if (!r.IsNull)
        {
            var raw = (RedisResult[])((RedisResult[])((RedisResult[])r!)[0]!)[1]!;
            foreach (var e in raw)
            {
                var parsed = RedisDurableConnection.ParseEntry(e, redelivered: true);
                var id = (string)((RedisResult[])e!)[0]!;
                _ownCursor = id;
                if (parsed is { } p)
                {
                    entries.Add(p);
                }
                else
                {
                    gone.Add(id);
                }
            }
        }
        if (entries.Count == 0 && gone.Count == 0)
        {
            _ownCursor = null;
            return null;
        }
        // trimmed while pending: read once, never handled; counted as missing and taken off the pending list
        if (gone.Count > 0)
        {
            await AcknowledgeAsync(gone).ConfigureAwait(false);
        }
        return new DurableBatch(entries, gone.Count, false);
    }

    private async Task<DurableBatch?> ClaimAsync(int max)
    {
        var r = (RedisResult[])(await _conn.Database.ExecuteAsync("XAUTOCLAIM", _conn.StreamKey(_instance), _group, _consumer,
            _claimIdleMs, _claimCursor, "COUNT", max).ConfigureAwait(false))!;
        _claimCursor = (string)r[0]!;
        if (_claimCursor == "0-0")
        {
            _lastClaimScan = Environment.TickCount64;
        }
        var entries = new List<DurableEntry>();
        foreach (var e in (RedisResult[])r[1]!)
        {
            if (RedisDurableConnection.ParseEntry(e, redelivered: true) is { } p)
            {
                entries.Add(p);
            }
        }
        // Redis 7 lists pending entries that were trimmed (and drops them from the pending list)
        var gone = r.Length > 2 ? ((RedisResult[])r[2]!).Length : 0;
        return entries.Count == 0 && gone == 0 ? null : new DurableBatch(entries, gone, false);
    }

    private async Task<DurableBatch?> ReadNewAsync(int max)
    {
        var r = (RedisResult[])(await _conn.Database.ScriptEvaluateAsync(ReadNewScript, [_conn.StreamKey(_instance), _conn.MetaKey(_instance)],
            [_group, _consumer, max]).ConfigureAwait(false))!;
        if (r.Length == 0)
        {
            return null;
        }
        var prevText = (string?)r[0];
        var entries = new List<DurableEntry>();
        foreach (var e in (RedisResult[])r[1]!)
        {
            if (RedisDurableConnection.ParseEntry(e, redelivered: false) is { } p)
            {
                entries.Add(p);
            }
        }
        return new DurableBatch(entries, Missing(prevText, entries), false);
    }

    /// <summary>Positions skipped between the group's last read and these entries (trimmed unread); 0 when unknown.</summary>
    internal static long Missing(string? prevText, IReadOnlyList<DurableEntry> entries)
    {
        if (!long.TryParse(prevText, NumberStyles.None, CultureInfo.InvariantCulture, out var prev))
        {
            return 0;
        }
        long missing = 0;
        foreach (var e in entries)
        {
            if (e.Position > 0)
            {
                missing += Math.Max(0, e.Position - prev - 1);
                prev = e.Position;
            }
        }
        return missing;
    }

    public async ValueTask AcknowledgeAsync(IReadOnlyList<string> entryIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entryIds);
        if (entryIds.Count == 0)
        {
            return;
        }
        await _conn.Database.StreamAcknowledgeAsync(_conn.StreamKey(_instance), _group, entryIds.Select(id => (RedisValue)id).ToArray()).ConfigureAwait(false);
    }

    public async ValueTask DeadLetterAsync(DurableEntry entry, string reason, CancellationToken cancellationToken = default)
        => await _conn.Database.ScriptEvaluateAsync(DeadLetterScript, [_conn.StreamKey(_instance), _conn.DeadKey(_instance)],
            [_group, entry.Id, entry.Position, entry.Topic, entry.Frame, reason]).ConfigureAwait(false);

    public ValueTask DisposeAsync()
    {
        _wakeups.Unregister(_signal);
        return ValueTask.CompletedTask;
    }
}

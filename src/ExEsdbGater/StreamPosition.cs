using System.Globalization;

namespace ExEsdbGater;

/// <summary>Where a history reader starts (or stops) in an instance's stream: the beginning, a time, or an entry id.</summary>
public readonly record struct StreamPosition
{
    private StreamPosition(string? entryId, DateTimeOffset? time)
    {
        EntryId = entryId;
        Time = time;
    }

    /// <summary>The oldest entry retention kept.</summary>
    public static StreamPosition Beginning => default;

    /// <summary>The first entry Redis added at or after <paramref name="time"/> (entry ids carry the time of the append).</summary>
    public static StreamPosition At(DateTimeOffset time) => new(null, time);

    /// <summary>The entry with this id (<c>&lt;ms&gt;-&lt;n&gt;</c>), or the first after it if it is gone.</summary>
    /// <exception cref="ArgumentException">Not an entry id.</exception>
    public static StreamPosition AtEntry(string entryId)
        => TryParseEntryId(entryId, out _, out _) ? new(entryId, null) : throw new ArgumentException($"'{entryId}' is not a stream entry id (<ms>-<n>).", nameof(entryId));

    /// <summary>The entry id, for a position given as one.</summary>
    public string? EntryId { get; }

    /// <summary>The time, for a position given as one.</summary>
    public DateTimeOffset? Time { get; }

    /// <summary>True for <see cref="Beginning"/>.</summary>
    public bool IsBeginning => EntryId is null && Time is null;

    /// <summary>Reads <c>beginning</c>, an RFC 3339 time (<c>2026-11-27T10:00:00Z</c>) or an entry id (<c>1795751000000-0</c>).</summary>
    public static bool TryParse(string? text, out StreamPosition position)
    {
        position = default;
        if (string.Equals(text, "beginning", StringComparison.Ordinal))
        {
            return true;
        }
        if (text is null)
        {
            return false;
        }
        if (TryParseEntryId(text, out _, out _))
        {
            position = new(text, null);
            return true;
        }
        if (text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            position = new(null, time);
            return true;
        }
        return false;
    }

    /// <summary>The inclusive lower bound as a Redis stream id: <c>-</c>, <c>&lt;ms&gt;-0</c> or the entry id.</summary>
    public string ToStreamId() => EntryId ?? (Time is { } t ? t.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "-0" : "-");

    /// <summary>Splits an entry id into its milliseconds and sequence.</summary>
    public static bool TryParseEntryId(string? entryId, out long milliseconds, out long sequence)
    {
        milliseconds = sequence = 0;
        var dash = entryId?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        return dash > 0
            && long.TryParse(entryId.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out milliseconds)
            && long.TryParse(entryId.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    /// <inheritdoc/>
    public override string ToString() => EntryId ?? (Time is { } t ? t.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) : "beginning");
}

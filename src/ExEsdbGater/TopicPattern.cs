namespace ExEsdbGater;

/// <summary>Topic patterns: <c>*</c> matches any run of characters (possibly empty); every other character is literal.</summary>
public static class TopicPattern
{
    /// <summary>True when <paramref name="topic"/> matches <paramref name="pattern"/>.</summary>
    public static bool Matches(string pattern, string topic)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(topic);
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(pattern, topic, StringComparison.Ordinal);
        }
        // Iterative glob match with single backtrack point: linear in practice, never exponential.
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < topic.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (p < pattern.Length && pattern[p] == topic[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }

    /// <summary>True for a usable pattern: 1–255 UTF-8 bytes, no control characters.</summary>
    public static bool IsValid(string? pattern)
        => !string.IsNullOrEmpty(pattern) && FrameRules.IsValidTopic(pattern.Replace('*', 'x'));
}

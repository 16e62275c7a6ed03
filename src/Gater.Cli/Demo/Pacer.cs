namespace Gater.Cli.Demo;

/// <summary>
/// Paces a loop at a steady rate on a <see cref="TimeProvider"/>: each step has its due time (start + k / rate), so
/// short delays below the timer's resolution add up instead of rounding to zero, at any rate. A loop that falls more
/// than a second behind (a stalled output, a slow machine) starts a new schedule rather than bursting to catch up.
/// </summary>
internal sealed class Pacer(double ratePerSecond, TimeProvider time)
{
    private static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(1);
    // waits shorter than this are batched: the next steps run at once, and the schedule stays exact
    private static readonly TimeSpan MinWait = TimeSpan.FromMilliseconds(2);

    private readonly long _started = time.GetTimestamp();
    private TimeSpan _origin;
    private long _steps;

    /// <summary>Waits until the next step is due.</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        _steps++;
        var due = _origin + TimeSpan.FromSeconds(_steps / ratePerSecond);
        var now = time.GetElapsedTime(_started);
        if (now - due > MaxLag)
        {
            _origin = now;
            _steps = 0;
            return;
        }
        if (due - now >= MinWait)
        {
            await Task.Delay(due - now, time, ct).ConfigureAwait(false);
        }
    }
}

using System.Runtime.InteropServices;

namespace ExEsdbGater;

/// <summary>
/// A count that threads on several cores add to, in two cache lines chosen by the processor the thread runs on, each
/// apart from every other field: one line shared by two receive lanes (or with fields each reads per frame) moves
/// between cores on every increment. Two threads running at once on two processors always take different lines;
/// with more processors, pairs of them share one.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct StripedCounter
{
    [FieldOffset(64)] private long _even;
    [FieldOffset(128)] private long _odd;

    public void Increment()
    {
        // the runtime's cached processor number (refreshed now and then); a thread that moved meanwhile only shares
        // a line for a while: every increment is atomic wherever it lands
        if ((Thread.GetCurrentProcessorId() & 1) == 0)
        {
            Interlocked.Increment(ref _even);
        }
        else
        {
            Interlocked.Increment(ref _odd);
        }
    }

    public readonly long Total => Volatile.Read(in _even) + Volatile.Read(in _odd);
}

using System.Runtime.InteropServices;

namespace ExEsdbGater;

/// <summary>
/// A count that threads on several cores add to, in two cache lines chosen by the parity of the processor the thread
/// runs on, each apart from every other field: one line shared by two receive lanes (or with fields each reads per
/// frame) moves between cores on every increment. Threads on processors of different parity (on two cores: any two
/// running at once) take different lines; all even-numbered processors share one line, all odd ones the other.
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

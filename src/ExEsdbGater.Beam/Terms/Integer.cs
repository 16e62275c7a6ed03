using System.Globalization;
using System.Numerics;

namespace ExEsdbGater.Beam.Terms;

/// <summary>An integer of any size. Small values keep a long; bignums a <see cref="BigInteger"/>.</summary>
internal sealed class Integer : Term
{
    public Integer(BigInteger value)
    {
        Value = value;
    }

    public Integer(long value)
    {
        Value = value;
    }

    private static readonly Integer[] Bytes = CreateBytes();

    public BigInteger Value { get; }

    /// <summary>The integer <paramref name="value"/>; 0..255 (bytes of strings) are shared instances.</summary>
    public static Integer Of(long value) => value is >= 0 and <= 255 ? Bytes[value] : new Integer(value);

    private static Integer[] CreateBytes()
    {
        var a = new Integer[256];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = new Integer(i);
        }
        return a;
    }

    /// <summary>The value as a long, when it fits.</summary>
    public bool TryGetInt64(out long value)
    {
        if (Value >= long.MinValue && Value <= long.MaxValue)
        {
            value = (long)Value;
            return true;
        }
        value = 0;
        return false;
    }

    public override bool Equals(Term? other) => other is Integer i && i.Value == Value;

    public override int GetHashCode() => Value.GetHashCode();

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

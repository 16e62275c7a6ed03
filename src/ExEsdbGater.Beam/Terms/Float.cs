using System.Globalization;

namespace ExEsdbGater.Beam.Terms;

/// <summary>A float (IEEE 754 double, as NEW_FLOAT_EXT carries it).</summary>
internal sealed class Float : Term
{
    public Float(double value)
    {
        Value = value;
    }

    public double Value { get; }

    public override bool Equals(Term? other) => other is Float f && BitConverter.DoubleToInt64Bits(f.Value) == BitConverter.DoubleToInt64Bits(Value);

    public override int GetHashCode() => Value.GetHashCode();

    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}

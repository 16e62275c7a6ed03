using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ExEsdbGater.Tests.Frames;

/// <summary>
/// The signer's number writer (<see cref="ShortDouble"/>) against Utf8JsonWriter's own: byte-equal wherever it
/// writes, taken for the decimals messages carry, and left to the writer for everything else.
/// </summary>
public sealed class ShortDoubleTests
{
    private static byte[] WriterBytes(double value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteNumberValue(value);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string? Ours(double value)
    {
        Span<byte> text = stackalloc byte[ShortDouble.MaxLength];
        return ShortDouble.TryFormat(value, text, out var n) ? Encoding.ASCII.GetString(text[..n]) : null;
    }

    private static void AssertSameWhereWritten(double value)
    {
        if (Ours(value) is { } ours)
        {
            Assert.Equal(Encoding.ASCII.GetString(WriterBytes(value)), ours);
        }
    }

    [Theory]
    [InlineData(0.42, "0.42")]
    [InlineData(63.5, "63.5")]
    [InlineData(-71.2, "-71.2")]
    [InlineData(1.0, "1")]
    [InlineData(100.0, "100")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00012345678901234, "0.00012345678901234")]
    [InlineData(99999999999999.9, "99999999999999.9")]
    [InlineData(12345678901234.5, "12345678901234.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(123456789012345.0, null)] // 1e14 and up: the writer's
    [InlineData(0.00001, null)] // below 1e-4: the writer writes 1E-05
    [InlineData(0.30000000000000004, null)] // 17 digits
    [InlineData(1.0 / 3, null)]
    [InlineData(0.0, null)]
    [InlineData(double.NaN, null)]
    [InlineData(double.PositiveInfinity, null)]
    [InlineData(double.Epsilon, null)]
    [InlineData(double.MaxValue, null)]
    public void Writes_the_writers_text_or_leaves_the_value_to_it(double value, string? expected)
    {
        Assert.Equal(expected, Ours(value));
        if (expected is not null)
        {
            Assert.Equal(expected, Encoding.ASCII.GetString(WriterBytes(value)));
        }
    }

    [Fact]
    public void Every_decimal_of_up_to_15_digits_in_range_is_written_as_the_writer_writes_it()
    {
        var rng = new Random(20261128);
        for (var i = 0; i < 300_000; i++)
        {
            // a decimal with 1 to 15 significant digits and the point anywhere in the range
            var digits = rng.Next(1, 16);
            var mantissa = rng.NextInt64(1, (long)Math.Pow(10, digits));
            var exponent = rng.Next(-4 - digits + 1, 14 - digits + 1);
            var text = mantissa.ToString(CultureInfo.InvariantCulture) + "e" + exponent.ToString(CultureInfo.InvariantCulture);
            var value = double.Parse(text, CultureInfo.InvariantCulture) * (rng.Next(2) == 0 ? 1 : -1);
            if (Math.Abs(value) is < 1e-4 or >= 1e14)
            {
                continue;
            }
            var ours = Ours(value);
            Assert.True(ours is not null, $"{text} ({value:R}) was left to the writer");
            Assert.Equal(Encoding.ASCII.GetString(WriterBytes(value)), ours);
        }
    }

    [Fact]
    public void Any_double_is_written_as_the_writer_writes_it_or_left_to_it()
    {
        Assert.Null(Ours(-0.0)); // the writer's "-0"
        var rng = new Random(1128);
        Span<byte> bits = stackalloc byte[8];
        for (var i = 0; i < 300_000; i++)
        {
            rng.NextBytes(bits);
            AssertSameWhereWritten(BitConverter.ToDouble(bits));
            // and near the range, where the bit patterns above rarely fall
            AssertSameWhereWritten(Math.Pow(10, (rng.NextDouble() * 22) - 6) * (rng.Next(2) == 0 ? 1 : -1));
        }
        foreach (var e in Enumerable.Range(-6, 22))
        {
            var p = Math.Pow(10, e);
            foreach (var v in new[] { p, Math.BitIncrement(p), Math.BitDecrement(p), p * 9.999999999999999, p * 1.000000000000001 })
            {
                AssertSameWhereWritten(v);
                AssertSameWhereWritten(-v);
            }
        }
    }
}

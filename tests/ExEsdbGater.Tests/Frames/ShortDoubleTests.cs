using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ExEsdbGater.Tests.Frames;

/// <summary>
/// <see cref="ShortDouble"/> against the runtime's own number writer and parser: the same bytes and the same doubles
/// wherever it answers, taken for the decimals messages carry, and the rest left to the runtime.
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

    [Theory]
    [InlineData("0.42", true)]
    [InlineData("-71.2", true)]
    [InlineData("63.5", true)]
    [InlineData("0", true)]
    [InlineData("-0", true)]
    [InlineData("-0.0", true)]
    [InlineData("123456789012345", true)]
    [InlineData("0.00000000000001", true)]
    [InlineData("-0.00000000000001", true)]
    [InlineData("1234567890123456", false)] // 16 digits: the parser's
    [InlineData("0.000000000000001", false)]
    [InlineData("1e5", false)]
    [InlineData("-2.5E-3", false)]
    [InlineData("-", false)]
    public void Reads_what_the_parser_reads_or_leaves_the_text_to_it(string text, bool taken)
    {
        var utf8 = Encoding.ASCII.GetBytes(text);
        Assert.Equal(taken, ShortDouble.TryParse(utf8, out var ours));
        if (taken)
        {
            Assert.True(System.Buffers.Text.Utf8Parser.TryParse(utf8, out double expected, out var used) && used == utf8.Length);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(ours));
        }
    }

    [Fact]
    public void Every_plain_decimal_of_up_to_15_digits_reads_as_the_parser_reads_it()
    {
        var rng = new Random(281126);
        for (var i = 0; i < 300_000; i++)
        {
            var digits = rng.Next(1, 16);
            var text = rng.NextInt64(0, (long)Math.Pow(10, digits)).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
            var point = rng.Next(0, digits);
            // JSON's grammar: no leading zero before other integer digits
            var integer = text[..(digits - point)].TrimStart('0');
            var number = (rng.Next(2) == 0 ? "-" : "") + (integer.Length == 0 ? "0" : integer) + (point > 0 ? "." + text[(digits - point)..] : "");
            var utf8 = Encoding.ASCII.GetBytes(number);
            var count = utf8.Count(c => c is >= (byte)'0' and <= (byte)'9');
            Assert.Equal(count <= 15, ShortDouble.TryParse(utf8, out var ours));
            if (count <= 15)
            {
                Assert.True(System.Buffers.Text.Utf8Parser.TryParse(utf8, out double expected, out _));
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(ours), $"{number}: {ours:R} against {expected:R}");
            }
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

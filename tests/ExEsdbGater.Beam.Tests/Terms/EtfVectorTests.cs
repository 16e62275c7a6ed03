using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Tests.Terms;

/// <summary>The original's 36 messages (OTP 25 term_to_binary) decode and re-encode byte for byte in both atom encodings.</summary>
public sealed class EtfVectorTests
{
    public static TheoryData<string> Vectors => BeamVectors.Names();

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_decodes_and_reencodes_byte_exact_in_both_atom_encodings(string name)
    {
        var v = BeamVectors.Get(name);
        var fromLatin1 = EtfReader.Decode(v.Latin1);
        var fromUtf8 = EtfReader.Decode(v.Utf8);
        Assert.Equal(fromLatin1, fromUtf8);
        foreach (var term in new[] { fromLatin1, fromUtf8 })
        {
            Assert.Equal(v.Latin1, EtfWriter.ToBinary(term, AtomEncoding.Latin1));
            Assert.Equal(v.Utf8, EtfWriter.ToBinary(term, AtomEncoding.Utf8));
        }
        var message = Assert.IsType<Tuple>(fromLatin1);
        Assert.Equal(2, message.Arity);
        Assert.IsType<Atom>(message[0]);
        var fields = Assert.IsType<Map>(message[1]);
        Assert.True(fields.TryGetValue("__struct__", out var module));
        Assert.StartsWith("Elixir.ExESDBGater.Messages.", Assert.IsType<Atom>(module).Name, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Every_prefix_of_a_vector_is_a_clean_format_error(string name)
    {
        var v = BeamVectors.Get(name);
        foreach (var bytes in new[] { v.Latin1, v.Utf8 })
        {
            for (var n = 0; n < bytes.Length; n++)
            {
                Assert.Throws<EtfFormatException>(() => EtfReader.Decode(bytes.AsSpan(0, n)));
                Assert.False(EtfReader.TryDecode(bytes.AsSpan(0, n), out _, out var error));
                Assert.False(string.IsNullOrEmpty(error));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Writer_to_a_buffer_writer_matches_ToBinary(string name)
    {
        var v = BeamVectors.Get(name);
        var term = EtfReader.Decode(v.Utf8);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var n = EtfWriter.Write(buffer, term, AtomEncoding.Latin1);
        Assert.Equal(v.Latin1.Length, n);
        Assert.Equal(v.Latin1, buffer.WrittenSpan.ToArray());
        Assert.Equal(v.Utf8.Length - 1, EtfWriter.GetSize(term, AtomEncoding.Utf8));
    }
}

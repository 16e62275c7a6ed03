using System.IO.Compression;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Tests.Terms;

/// <summary>Hostile and malformed input: always an <see cref="EtfFormatException"/> that names the problem.</summary>
public sealed class EtfLimitTests
{
    private static string Rejects(byte[] bytes, TermLimits? limits = null)
    {
        var e = Assert.Throws<EtfFormatException>(() => EtfReader.Decode(bytes, limits));
        Assert.False(EtfReader.TryDecode(bytes, out _, out var error, limits));
        Assert.Equal(e.Message, error);
        return e.Message;
    }

    private static byte[] Bytes(params object[] parts)
    {
        var list = new List<byte>();
        foreach (var p in parts)
        {
            switch (p)
            {
                case int b:
                    list.Add((byte)b);
                    break;
                case byte[] a:
                    list.AddRange(a);
                    break;
                case string hex:
                    list.AddRange(EtfHandVectorTests.Hex(hex));
                    break;
                default:
                    throw new ArgumentException("bad part");
            }
        }
        return [.. list];
    }

    private static byte[] Repeat(byte[] unit, int times) => Enumerable.Repeat(unit, times).SelectMany(b => b).ToArray();

    [Fact]
    public void Deep_nesting_is_refused_not_a_stack_overflow()
    {
        // 100,000 nested one-element tuples, lists and improper tails.
        Assert.Contains("nest deeper than the limit of 256", Rejects(Bytes(131, Repeat([104, 1], 100_000), 106)), StringComparison.Ordinal);
        Assert.Contains("nest deeper", Rejects(Bytes(131, Repeat([108, 0, 0, 0, 1], 100_000), 106)), StringComparison.Ordinal);
        Assert.Contains("nest deeper", Rejects(Bytes(131, Repeat([108, 0, 0, 0, 1, 97, 1], 100_000), 106)), StringComparison.Ordinal);
        Assert.Contains("nest deeper", Rejects(Bytes(131, Repeat([116, 0, 0, 0, 1, 106], 100_000), 106)), StringComparison.Ordinal);
        // Just within the limit is fine.
        var ok = EtfReader.Decode(Bytes(131, Repeat([104, 1], 255), 106));
        Assert.IsType<Tuple>(ok);
        Assert.Contains("nest deeper than the limit of 10", Rejects(Bytes(131, Repeat([104, 1], 10), 106), new TermLimits { MaxDepth = 10 }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("83 6c ffffffff 6a", "LIST_EXT of 4294967295 elements")]
    [InlineData("83 69 ffffffff 6a", "tuple of 4294967295 elements")]
    [InlineData("83 69 00001000 6a", "tuple's 4096 elements")]
    [InlineData("83 74 ffffffff 6a6a", "MAP_EXT declares 4294967295 pairs")]
    [InlineData("83 6d ffffffff 00", "BINARY_EXT's bytes")]
    [InlineData("83 4d ffffffff 03 00", "BIT_BINARY_EXT's bytes")]
    [InlineData("83 6f ffffffff 00 01", "a bignum's digits")]
    [InlineData("83 6b ffff 01", "STRING_EXT's bytes")]
    [InlineData("83 64 012c 61", "atom of 300 bytes")]
    [InlineData("83 76 0ffc 61", "atom of 4092 bytes")]
    [InlineData("83 5a ffff 7701 61 00000000", "reference of 65535 id words")]
    [InlineData("83 70 ffffffff 00", "NEW_FUN_EXT")]
    [InlineData("83 50 ffffffff 789c", "over the limit")]
    public void Huge_declared_lengths_are_refused_before_allocating(string hex, string expected)
        => Assert.Contains(expected, Rejects(EtfHandVectorTests.Hex(hex)), StringComparison.Ordinal);

    [Fact]
    public void Nested_containers_claiming_all_remaining_bytes_do_not_each_allocate_that_much()
    {
        // 200 nested lists, each declaring as many elements as bytes remain, then truncated: every level must not
        // reserve room for ~1M elements (that would be 200 x 8 MB).
        var bytes = new List<byte> { 131 };
        for (var level = 0; level < 200; level++)
        {
            bytes.AddRange([108, 0, 0x0F, 0xFF, 0xF0]);
        }
        bytes.AddRange(new byte[1_100_000]);
        var input = bytes.ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Rejects(input);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L * 1024 * 1024, "allocated too much");
    }

    [Fact]
    public void Element_count_and_size_limits_apply()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TermLimits { MaxDepth = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TermLimits { MaxBytes = -1 });
        var limits = new TermLimits { MaxElements = 3, MaxBytes = 64 };
        Assert.Contains("over the limit of 3", Rejects(EtfWriter.ToBinary(new Tuple(Atom.Of("a"), Atom.Of("b"), Atom.Of("c"), Atom.Of("d"))), limits), StringComparison.Ordinal);
        Assert.Contains("longer than the limit of 64 bytes", Rejects(EtfWriter.ToBinary(new Binary(new byte[100])), limits), StringComparison.Ordinal);
        Assert.IsType<Binary>(EtfReader.Decode(EtfWriter.ToBinary(new Binary(new byte[58])), limits));
    }

    [Fact]
    public void Atoms_are_checked_for_length_and_utf8()
    {
        Assert.Contains("not valid UTF-8", Rejects(EtfHandVectorTests.Hex("83 77 02 c328")), StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", Rejects(EtfHandVectorTests.Hex("83 77 01 ff")), StringComparison.Ordinal);
        // 256 characters of 'é' (512 UTF-8 bytes) is one character too many.
        var tooLong = Bytes(131, 118, 2, 0, Repeat([0xc3, 0xa9], 256));
        Assert.Contains("256 characters", Rejects(tooLong), StringComparison.Ordinal);
        var justRight = Bytes(131, 118, 1, 254, Repeat([0xc3, 0xa9], 255));
        Assert.Equal(255, Assert.IsType<Atom>(EtfReader.Decode(justRight)).Name.Length);
        Assert.Contains("expected an atom", Rejects(EtfHandVectorTests.Hex("83 58 6a 00000001 00000002 00000003")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("83 52 00", "ATOM_CACHE_REF (82)")]
    [InlineData("83 c8", "unsupported tag 200")]
    [InlineData("83 79 00", "unsupported tag 121 (LOCAL_EXT)")]
    [InlineData("83 61 01 61", "1 bytes follow the term (at byte 3)")]
    [InlineData("", "truncated: a term")]
    [InlineData("83", "truncated: a term after the version byte")]
    [InlineData("83 46 7ff8000000000000", "NEW_FLOAT_EXT is not a finite number")]
    [InlineData("83 46 7ff0000000000000", "NEW_FLOAT_EXT is not a finite number")]
    [InlineData("83 6e 01 02 05", "bignum sign byte 2")]
    [InlineData("83 4d 00000001 00 ff", "BIT_BINARY_EXT with 0 bits")]
    [InlineData("83 4d 00000001 09 ff", "BIT_BINARY_EXT with 9 bits")]
    [InlineData("83 4d 00000000 03", "BIT_BINARY_EXT without bytes")]
    [InlineData("83 74 00000002 6101 6a 6101 6a", "MAP_EXT has a duplicate key (at byte 9)")]
    [InlineData("83 5a 0000 7701 61 00000000", "reference of 0 id words")]
    [InlineData("83 71 7701 6d 7701 66 62 00000001", "EXPORT_EXT's arity is not a SMALL_INTEGER_EXT")]
    [InlineData("83 68 01 50 00000001 00", "COMPRESSED is only allowed for a whole term")]
    [InlineData("83 63 61626300000000000000000000000000000000000000000000000000000000", "FLOAT_EXT is not a finite number in text")]
    public void Malformed_terms_are_named(string hex, string expected)
        => Assert.Contains(expected, Rejects(EtfHandVectorTests.Hex(hex)), StringComparison.Ordinal);

    [Fact]
    public void Duplicate_keys_are_found_in_large_maps_too()
    {
        var pairs = Enumerable.Range(0, 20).Select(i => new KeyValuePair<Term, Term>(new Integer(i), List.Empty)).ToList();
        pairs.Add(new(new Integer(7), List.Empty));
        Assert.Contains("duplicate key", Rejects(EtfWriter.ToBinary(new Map(pairs))), StringComparison.Ordinal);
        // 1 and 1.0 are different keys.
        Assert.Equal(2, Assert.IsType<Map>(EtfReader.Decode(EtfWriter.ToBinary(new Map([new(new Integer(1), List.Empty), new(new Float(1.0), List.Empty)])))).Count);
    }

    [Fact]
    public void Large_equal_map_keys_in_different_orders_are_found_duplicate()
    {
        // Two keys that are the same 50,000-pair map, pairs in opposite orders: a duplicate, found in linear time.
        var pairs = Enumerable.Range(0, 50_000).Select(i => new KeyValuePair<Term, Term>(new Integer(i), new Integer(i))).ToArray();
        var keys = new List<KeyValuePair<Term, Term>>
        {
            new(new Map(pairs), List.Empty),
            new(new Map(pairs.Reverse().ToArray()), List.Empty),
        };
        keys.AddRange(Enumerable.Range(0, 8).Select(i => new KeyValuePair<Term, Term>(Atom.Of("k" + i), List.Empty)));
        Assert.Contains("duplicate key", Rejects(EtfWriter.ToBinary(new Map(keys))), StringComparison.Ordinal);
    }

    [Fact]
    public void Compressed_terms_inflate_within_the_declared_and_limited_size()
    {
        var term = new List(Enumerable.Repeat((Term)Atom.Of("hello"), 1000).ToArray());
        var plain = EtfWriter.ToBinary(term, AtomEncoding.Latin1);
        Assert.Equal(term, EtfReader.Decode(Compressed(plain[1..], plain.Length - 1)));
        Assert.Contains("fewer than the", Rejects(Compressed(plain[1..], plain.Length)), StringComparison.Ordinal);
        Assert.Contains("more than the", Rejects(Compressed(plain[1..], plain.Length - 2)), StringComparison.Ordinal);
        Assert.Contains("over the limit of 1000", Rejects(Compressed(plain[1..], plain.Length - 1), new TermLimits { MaxUncompressedBytes = 1000 }), StringComparison.Ordinal);
        Assert.Contains("not valid zlib data", Rejects(EtfHandVectorTests.Hex("83 50 00000010 0102030405060708")), StringComparison.Ordinal);
        // A 100 MB zip bomb declaring its true size is refused by the size header alone.
        Assert.Contains("over the limit", Rejects(Compressed(new byte[1000], 100_000_000)), StringComparison.Ordinal);
        // The inflated bytes are checked like any others.
        Assert.Contains("in the uncompressed term", Rejects(Compressed([104, 2, 97, 1], 4)), StringComparison.Ordinal);
    }

    [Fact]
    public void Several_terms_in_one_buffer_are_read_one_after_another()
    {
        // A pass-through distribution message: 112, then the control term and the payload, each with its 131.
        var control = new Tuple(new Integer(2), Atom.Of(""), new Pid(Atom.Of("n@h"), 1, 0, 5));
        var payload = new Tuple(Atom.Of("hello"), Binary.Utf8("world"));
        var frame = Bytes(112, EtfWriter.ToBinary(control), EtfWriter.ToBinary(payload));
        var offset = 1;
        Assert.Equal(control, EtfReader.Read(frame, ref offset));
        Assert.Equal(payload, EtfReader.Read(frame, ref offset));
        Assert.Equal(frame.Length, offset);
        Assert.Equal([control, payload], EtfReader.DecodeSequence(frame.AsSpan(1)));
        // Terms without version bytes, too.
        Assert.Equal(2, EtfReader.DecodeSequence(EtfHandVectorTests.Hex("6101 6a")).Count);
        Assert.Contains("truncated", Assert.Throws<EtfFormatException>(() => EtfReader.DecodeSequence(frame.AsSpan(1, frame.Length - 2))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decoded_atoms_of_interned_names_are_the_interned_instances()
    {
        var ok = Atom.Intern("ok");
        Assert.Same(ok, EtfReader.Decode(EtfHandVectorTests.Hex("83 64 0002 6f6b")));
        Assert.Same(ok, EtfReader.Decode(EtfHandVectorTests.Hex("83 77 02 6f6b")));
    }

    internal static byte[] Compressed(byte[] untagged, int declaredSize)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(untagged);
        }
        var header = new byte[6];
        header[0] = 131;
        header[1] = 80;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(2), declaredSize);
        return [.. header, .. ms.ToArray()];
    }
}

using System.Numerics;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Tests.Terms;

/// <summary>
/// Random bytes and mutated encodings (fixed seed): decoding never throws anything but
/// <see cref="EtfFormatException"/>, and whatever decodes re-encodes and decodes again to an equal term.
/// </summary>
public sealed class EtfFuzzTests
{
    private const int Cases = 120_000;

    [Fact]
    public void Random_and_mutated_input_is_a_term_or_a_format_error()
    {
        var random = new Random(20261127);
        var corpus = Corpus();
        var limits = new TermLimits { MaxDepth = 64, MaxUncompressedBytes = 1 << 20 };
        int decoded = 0, rejected = 0;
        for (var i = 0; i < Cases; i++)
        {
            var input = i % 4 == 0 ? RandomBytes(random) : Mutate(random, corpus[random.Next(corpus.Count)]);
            Term term;
            try
            {
                term = EtfReader.Decode(input, limits);
            }
            catch (EtfFormatException)
            {
                rejected++;
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name} for {Convert.ToHexString(input)}: {e}");
                throw;
            }
            decoded++;
            foreach (var atoms in new[] { AtomEncoding.Utf8, AtomEncoding.Latin1 })
            {
                var again = EtfReader.Decode(EtfWriter.ToBinary(term, atoms), limits with { MaxDepth = 1000 });
                Assert.True(term.Equals(again), $"case {i} ({atoms}): {Convert.ToHexString(input)} decoded to {term}, re-decoded to {again}");
            }
        }
        // Both outcomes are exercised, not only one.
        Assert.True(decoded > Cases / 20, $"{decoded} decoded");
        Assert.True(rejected > Cases / 20, $"{rejected} rejected");
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 48)];
        random.NextBytes(bytes);
        if (bytes.Length > 1 && random.Next(2) == 0)
        {
            bytes[0] = 131;
            bytes[1] = Tags[random.Next(Tags.Length)];
        }
        return bytes;
    }

    private static readonly byte[] Tags = [70, 77, 80, 82, 88, 89, 90, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 118, 119, 120];

    private static byte[] Mutate(Random random, byte[] original)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    bytes[at] = Tags[random.Next(Tags.Length)];
                    break;
            }
        }
        return [.. bytes];
    }

    private static List<byte[]> Corpus()
    {
        var node = Atom.Of("n@h");
        Term[] terms =
        [
            new Tuple(Atom.Of("ok"), Atom.Of("日本"), new Integer(-5), new Integer(300), new Integer(BigInteger.One << 70)),
            new List([new Float(1.5), Binary.Utf8("hi"), new Binary(new byte[] { 0xa0 }, 3)], Atom.Of("tail")),
            new List([new Integer(1), new Integer(2), new Integer(3)]),
            new Map([new(Atom.Of("a"), new Map([])), new(Binary.Utf8("b"), new Tuple(new Pid(node, 1, 2, 3)))]),
            new Tuple(new Port(node, 5, 1), new Port(node, 1UL << 40, 1), new Reference(node, 9, [1, 2, 3])),
        ];
        var corpus = new List<byte[]>();
        foreach (var t in terms)
        {
            corpus.Add(EtfWriter.ToBinary(t, AtomEncoding.Latin1));
            corpus.Add(EtfWriter.ToBinary(t, AtomEncoding.Utf8));
        }
        // Funs, exports and older tags, as received.
        corpus.Add(EtfHandVectorTests.Hex("8371640005656e756d7364000463616c6c6102"));
        corpus.Add(EtfHandVectorTests.Hex("8367 640003 614062 00000001 00000002 03"));
        corpus.Add(EtfHandVectorTests.Hex("8372 0002 640003 614062 07 00000001 00000002"));
        corpus.Add(EtfHandVectorTests.Hex("8366 640003 614062 00000005 07"));
        corpus.Add(EtfHandVectorTests.Hex("8363" + Convert.ToHexString("1.50000000000000000000e+00"u8) + "0000000000"));
        corpus.Add(EtfHandVectorTests.Hex(
            "8370 0000003e 01 00112233445566778899aabbccddeeff 00000000 00000001 77036d6f64 6100 6100"
            + "58 77036e4068 00000001 00000000 00000000 6d000000017a"));
        corpus.Add(EtfLimitTests.Compressed(EtfWriter.ToBinary(terms[1])[1..], EtfWriter.GetSize(terms[1])));
        foreach (var v in BeamVectors.All.Take(6))
        {
            corpus.Add(v.Latin1);
            corpus.Add(v.Utf8);
        }
        foreach (var c in corpus.Take(corpus.Count - 12))
        {
            // Every corpus entry is itself valid.
            EtfReader.Decode(c);
        }
        return corpus;
    }
}

using ExEsdbGater;
using ExEsdbGater.Tests.Catalog;
using Microsoft.Extensions.Time.Testing;

namespace ExEsdbGater.Tests.Frames;

/// <summary>
/// Random mutations, truncations and splices of valid frames: the verifier never throws, and accepts a frame
/// only when it is byte-identical to one of the valid frames.
/// </summary>
public sealed class FrameFuzzTests
{
    private const int CasesPerSeed = 26_000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Mutated_frames_never_crash_and_are_never_accepted_unless_identical(int seed)
    {
        var ring = FrameTestKit.Ring(FrameTestKit.Secret);
        var valid = Samples.OnePerType()
            .Select((m, i) => FrameEncoder.Encode(ring, FrameTestKit.EnvelopeFor(m, "orders:x", id: "f" + i), m))
            .ToArray();
        var validSet = new HashSet<string>(valid.Select(Convert.ToBase64String));
        var rng = new Random(seed);
        var clock = new FakeTimeProvider(FrameTestKit.Now);
        var accepted = 0;
        for (var i = 0; i < CasesPerSeed; i++)
        {
            var a = valid[rng.Next(valid.Length)];
            var frame = Mutate(rng, a, valid[rng.Next(valid.Length)]);
            var verifier = new FrameVerifier(ring, new VerifierOptions { TimeProvider = clock, ReplayCapacity = 2 });
            // the instance of the original, so that only the mutation decides
            GaterInstance instance = (GaterInstance)rng.Next(9);
            VerifyResult result = default;
            var ex = Record.Exception(() => result = verifier.Verify(frame, instance, "orders:x"));
            Assert.Null(ex);
            if (result.IsOk)
            {
                accepted++;
                Assert.Contains(Convert.ToBase64String(frame), validSet);
            }
            else
            {
                Assert.NotNull(result.Reason);
            }
        }
        Assert.True(accepted < CasesPerSeed);
    }

    private static byte[] Mutate(Random rng, byte[] a, byte[] b)
    {
        var f = a.ToList();
        var rounds = rng.Next(1, 4);
        for (var r = 0; r < rounds; r++)
        {
            if (f.Count == 0)
            {
                break;
            }
            switch (rng.Next(8))
            {
                case 0:
                    var p = rng.Next(f.Count);
                    f[p] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    f[rng.Next(f.Count)] = (byte)rng.Next(256);
                    break;
                case 2:
                    f.Insert(rng.Next(f.Count + 1), (byte)"{}[]\",:.\\u0123456789\"ae-"[rng.Next(24)]);
                    break;
                case 3:
                    var start = rng.Next(f.Count);
                    f.RemoveRange(start, Math.Min(rng.Next(1, 16), f.Count - start));
                    break;
                case 4:
                    f = f.Take(rng.Next(f.Count)).ToList();
                    break;
                case 5:
                    var cutA = rng.Next(f.Count);
                    var cutB = rng.Next(b.Length);
                    f = f.Take(cutA).Concat(b.Skip(cutB)).ToList();
                    break;
                case 6:
                    var s = rng.Next(f.Count);
                    var len = Math.Min(rng.Next(1, 32), f.Count - s);
                    f.InsertRange(rng.Next(f.Count), f.GetRange(s, len));
                    break;
                default:
                    // swap the signed header of one frame onto another's body
                    var ha = f.IndexOf((byte)'{');
                    var hb = Array.IndexOf(b, (byte)'{');
                    if (ha > 0 && hb > 0)
                    {
                        f = b.Take(hb).Concat(f.Skip(ha)).ToList();
                    }
                    break;
            }
        }
        return f.ToArray();
    }
}

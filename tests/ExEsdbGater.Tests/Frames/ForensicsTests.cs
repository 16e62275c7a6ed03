using Microsoft.Extensions.Time.Testing;
using static ExEsdbGater.Tests.Frames.FrameTestKit;

namespace ExEsdbGater.Tests.Frames;

/// <summary>Rejected frames are kept for forensics only within a size cap and a per-second budget.</summary>
public sealed class ForensicsTests
{
    [Fact]
    public void Rejections_carry_a_capped_copy_and_only_so_many_per_second()
    {
        var clock = new FakeTimeProvider(Now);
        var verifier = new FrameVerifier(Ring(Secret), new VerifierOptions { TimeProvider = clock, RejectedFrameCaptureBytes = 1000, RejectedFrameCapturesPerSecond = 10 });
        var seen = new List<FrameRejection>();
        verifier.Rejected += seen.Add;
        var big = new byte[100_000];
        "exg1.garbage"u8.CopyTo(big);
        for (var i = 0; i < 25; i++)
        {
            verifier.Verify(big, GaterInstance.Health, "cluster:health");
        }
        clock.Advance(TimeSpan.FromSeconds(1));
        verifier.Verify(big, GaterInstance.Health, "cluster:health");

        Assert.Equal(26, seen.Count);
        Assert.Equal(26, verifier.TotalRejected);
        Assert.All(seen, r => Assert.Equal(100_000, r.FrameLength));
        Assert.All(seen.Take(10), r => Assert.True(r.Frame.Span.SequenceEqual(big.AsSpan(0, 1000)) && r.IsFrameTruncated));
        Assert.All(seen.Skip(10).Take(15), r => Assert.True(r.Frame.IsEmpty && r.IsFrameTruncated));
        Assert.Equal(1000, seen[25].Frame.Length); // a new second, a new budget
    }

    [Fact]
    public void Small_frames_are_kept_whole()
    {
        var verifier = Verifier(Ring(Secret));
        FrameRejection? seen = null;
        verifier.Rejected += r => seen = r;
        var bad = "exg1.bad"u8.ToArray();
        verifier.Verify(bad, GaterInstance.Health, "cluster:health");
        Assert.Equal(bad, seen!.Frame.ToArray());
        Assert.False(seen.IsFrameTruncated);
    }
}

using System.Security.Cryptography;
using ExEsdbGater.Frames;

namespace ExEsdbGater.Tests.Frames;

/// <summary>
/// The library's HMAC-SHA256 (saved SHA-256 states of the padded key, or .NET's keyed HMAC) against .NET's one-shot
/// HMACSHA256 and RFC 4231: inputs in one part and split in two, keys shorter and longer than a block, many threads
/// at once.
/// </summary>
public sealed class KeyedHmacTests
{
    [Fact]
    public void On_Linux_keys_use_the_saved_states_of_libcrypto()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the direct path is for Linux only
        }
        Assert.True(OpenSslSha256.IsAvailable, OpenSslSha256.Why);
        var key = GaterKey.FromSecret(new string('s', 40));
        Assert.True(key.Hmac.UsesSavedStates, key.Hmac.Implementation);
        Assert.StartsWith("saved SHA-256 states (libcrypto", key.Hmac.Implementation, StringComparison.Ordinal);
    }

    // RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (5 truncates the output); 6 and 7 hash their 131-byte key first
    public static TheoryData<string, string, string> Rfc4231() => new()
    {
        { string.Concat(Enumerable.Repeat("0b", 20)), "4869205468657265", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
        { "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
        { string.Concat(Enumerable.Repeat("aa", 20)), string.Concat(Enumerable.Repeat("dd", 50)), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
        { "0102030405060708090a0b0c0d0e0f10111213141516171819", string.Concat(Enumerable.Repeat("cd", 50)), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
        { string.Concat(Enumerable.Repeat("aa", 131)), Convert.ToHexStringLower("Test Using Larger Than Block-Size Key - Hash Key First"u8), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
        { string.Concat(Enumerable.Repeat("aa", 131)), Convert.ToHexStringLower("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."u8), "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
    };

    [Theory]
    [MemberData(nameof(Rfc4231))]
    public void Both_implementations_give_the_RFC_4231_results(string keyHex, string dataHex, string macHex)
    {
        var key = Convert.FromHexString(keyHex);
        var data = Convert.FromHexString(dataHex);
        foreach (var hmac in Implementations(key))
        {
            var mac = new byte[32];
            hmac.Compute(data, [], mac);
            Assert.Equal(macHex, Convert.ToHexStringLower(mac));
            // the same input split in two
            hmac.Compute(data.AsSpan(0, data.Length / 3), data.AsSpan(data.Length / 3), mac);
            Assert.Equal(macHex, Convert.ToHexStringLower(mac));
        }
    }

    [Fact]
    public void Both_implementations_agree_with_dotnet_over_lengths_splits_and_key_sizes()
    {
        var random = new Random(4231);
        var compared = 0;
        foreach (var keyLength in (int[])[1, 16, 32, 63, 64, 65, 200])
        {
            var key = new byte[keyLength];
            random.NextBytes(key);
            var implementations = Implementations(key).ToArray();
            // around the SHA-256 padding boundaries, the verifier's 4 KiB contiguous copy, and large frames
            foreach (var length in (int[])[0, 1, 31, 55, 56, 57, 63, 64, 65, 119, 120, 128, 444, 4095, 4096, 4097, 70_000])
            {
                var data = new byte[length];
                random.NextBytes(data);
                var expected = HMACSHA256.HashData(key, data);
                foreach (var split in new[] { 0, length / 2, length }.Distinct())
                {
                    foreach (var hmac in implementations)
                    {
                        var mac = new byte[32];
                        hmac.Compute(data.AsSpan(0, split), data.AsSpan(split), mac);
                        Assert.True(expected.AsSpan().SequenceEqual(mac), $"key {keyLength} B, data {length} B split at {split}: {hmac.Implementation}");
                        compared++;
                    }
                }
            }
        }
        Assert.True(compared >= 7 * 17 * 2, $"{compared} compared");
    }

    [Fact]
    public async Task One_key_serves_many_threads_at_once()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        foreach (var hmac in Implementations(key))
        {
            var wrong = 0;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            {
                var random = new Random(t);
                var mac = new byte[32];
                for (var i = 0; i < 2_000; i++)
                {
                    var data = new byte[random.Next(0, 600)];
                    random.NextBytes(data);
                    hmac.Compute(data, [], mac);
                    if (!HMACSHA256.HashData(key, data).AsSpan().SequenceEqual(mac))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            })));
            Assert.Equal(0, wrong);
        }
    }

    [Fact]
    public void The_AppContext_switch_keeps_new_keys_on_dotnets_HMAC()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // only the platform HMAC exists elsewhere
        }
        var key = RandomNumberGenerator.GetBytes(32);
        var before = AppContext.TryGetSwitch(KeyedHmac.PlatformHmacSwitch, out var was) && was;
        AppContext.SetSwitch(KeyedHmac.PlatformHmacSwitch, true);
        KeyedHmac platform;
        try
        {
            platform = new KeyedHmac(key);
        }
        finally
        {
            AppContext.SetSwitch(KeyedHmac.PlatformHmacSwitch, before);
        }
        var direct = new KeyedHmac(key);
        Assert.False(platform.UsesSavedStates);
        Assert.Contains(KeyedHmac.PlatformHmacSwitch, platform.Implementation, StringComparison.Ordinal);
        Assert.True(direct.UsesSavedStates);
        var a = new byte[32];
        var b = new byte[32];
        platform.Compute("exg1.k."u8, "{}"u8, a);
        direct.Compute("exg1.k.{}"u8, [], b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void A_frame_signed_through_the_key_carries_the_signature_of_dotnets_one_shot_HMAC()
    {
        var secret = new string('q', 48);
        var ring = KeyRing.Of(GaterKey.FromSecret(secret));
        var message = HealthMessages.NodeHealth("n@h", NodeHealthStatus.Healthy);
        var frame = FrameEncoder.Encode(ring, new Envelope(GaterInstance.Health, "cluster:health", message.Tag, "msg_1", "n@h", 1, 1, 1_795_751_000_000), message);
        var dot = Array.IndexOf(frame, (byte)'.', 5);
        var sigEnd = Array.IndexOf(frame, (byte)'.', dot + 1);
        var signed = frame.AsSpan(0, dot + 1).ToArray().Concat(frame.AsSpan(sigEnd + 1).ToArray()).ToArray();
        var sig = new byte[FrameEncoder.SigChars];
        FrameEncoder.Sign(ring.SigningKey!.Key, signed, sig);
        Assert.Equal(frame.AsSpan(dot + 1, FrameEncoder.SigChars).ToArray(), sig);
    }

    private static IEnumerable<KeyedHmac> Implementations(byte[] key)
    {
        yield return new KeyedHmac(key, platform: true);
        if (OpenSslSha256.IsAvailable)
        {
            yield return new KeyedHmac(key, platform: false);
        }
    }
}

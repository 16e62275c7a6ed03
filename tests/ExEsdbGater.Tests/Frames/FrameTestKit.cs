using System.Text;
using ExEsdbGater;
using Microsoft.Extensions.Time.Testing;

namespace ExEsdbGater.Tests.Frames;

internal static class FrameTestKit
{
    public const string Secret = "first-secret-key-base-0123456789-abcdefghijklmnopqrstuvwxyz-ABCD";
    public const string Secret2 = "second-secret-key-base-9876543210-zyxwvutsrqponmlkjihgfedcba-WXYZ";
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_795_752_000_000);

    public static KeyRing Ring(params string[] secrets) => KeyRing.Of(secrets.Select(s => GaterKey.FromSecret(s)).ToArray());

    public static FrameVerifier Verifier(KeyRing ring, FakeTimeProvider? clock = null, int replayCapacity = 1000)
        => new(ring, new VerifierOptions { TimeProvider = clock ?? new FakeTimeProvider(Now), ReplayCapacity = replayCapacity });

    public static Envelope EnvelopeFor(GaterMessage m, string topic, string id = "m1", long seq = 1, string node = "gater1@host-a")
        => new(m.Instance, topic, m.Tag, id, node, 1_795_751_000_000, seq, Now.ToUnixTimeMilliseconds() - 1000);

    /// <summary>Signs an arbitrary body text the way a key holder could.</summary>
    public static byte[] SignRaw(GaterKey key, string body) => SignRaw(key, Encoding.UTF8.GetBytes(body));

    public static byte[] SignRaw(GaterKey key, byte[] body)
    {
        var prefix = Encoding.ASCII.GetBytes("exg1." + key.Kid + ".");
        var input = prefix.Concat(body).ToArray();
        var sig = new byte[43];
        FrameEncoder.Sign(key.Key, input, sig);
        return prefix.Concat(sig).Append((byte)'.').Concat(body).ToArray();
    }

    public static string Body(string payload, string type = "node_health_updated", string instance = "ex_esdb_health", string topic = "cluster:health", string id = "m1", string extra = "")
        => $"{{\"v\":1,\"instance\":\"{instance}\",\"topic\":\"{topic}\",\"type\":\"{type}\",\"id\":\"{id}\",\"node\":\"gater1@host-a\",\"epoch\":1,\"seq\":1,\"ts\":{Now.ToUnixTimeMilliseconds() - 1000}{extra},\"payload\":{payload}}}";

    /// <summary>Where the n-th <paramref name="b"/> is (the third '.' of a frame ends its header), or -1.</summary>
    public static int IndexOfNth(byte[] bytes, byte b, int n)
    {
        var at = -1;
        for (var i = 0; i < n; i++)
        {
            at = Array.IndexOf(bytes, b, at + 1);
            if (at < 0)
            {
                return -1;
            }
        }
        return at;
    }

    public const string HealthPayload = "{\"node\":\"gater1@host-a\",\"status\":\"healthy\",\"checks\":{},\"load_avg\":0.5,\"memory_usage\":null,\"disk_usage\":null,\"timestamp\":\"2026-11-27T04:00:00.123Z\"}";
}

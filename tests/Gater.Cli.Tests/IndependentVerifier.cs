using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gater.Cli.Tests;

/// <summary>
/// A second, deliberately separate reading of the wire spec, written only from its text with the BCL's HKDF, HMAC
/// and JsonDocument — it shares no code with the library. Frames from 'gater sign' must satisfy it.
/// </summary>
internal static class IndependentVerifier
{
    public static string Verify(string frame, string secret, string instance, string topic, long nowMs)
    {
        if (Encoding.UTF8.GetByteCount(frame) > 1048576)
        {
            return "too_large";
        }
        var parts = frame.Split('.', 4);
        if (parts.Length != 4 || parts[0] != "exg1")
        {
            return "invalid_format";
        }
        var (kid, sig, body) = (parts[1], parts[2], parts[3]);
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, [], Encoding.ASCII.GetBytes("ex_esdb_gater messages v1"));
        var defaultKid = Convert.ToHexString(SHA256.HashData(key))[..8].ToLowerInvariant();
        if (kid != defaultKid)
        {
            return "unknown_key";
        }
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("exg1." + kid + "." + body));
        var expected = Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(sig)))
        {
            return "invalid_signature";
        }
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 }).RootElement;
        }
        catch (JsonException)
        {
            return "invalid_format";
        }
        string[] members = ["v", "instance", "topic", "type", "id", "node", "epoch", "seq", "ts", "payload"];
        if (root.ValueKind != JsonValueKind.Object || members.Any(m => !root.TryGetProperty(m, out _)))
        {
            return "invalid_format";
        }
        if (root.GetProperty("v").GetRawText() != "1" || root.GetProperty("payload").ValueKind != JsonValueKind.Object
            || !System.Text.RegularExpressions.Regex.IsMatch(root.GetProperty("node").GetString() ?? "", "^[A-Za-z0-9_.+-]{1,128}@[A-Za-z0-9_.-]{1,253}$")
            || !System.Text.RegularExpressions.Regex.IsMatch(root.GetProperty("type").GetString() ?? "", "^[a-z][a-z0-9_]{0,63}$"))
        {
            return "invalid_format";
        }
        if (root.GetProperty("instance").GetString() != instance || root.GetProperty("topic").GetString() != topic)
        {
            return "topic_mismatch";
        }
        var ts = root.GetProperty("ts").GetInt64();
        if (ts < nowMs - 300_000)
        {
            return "expired";
        }
        return ts > nowMs + 30_000 ? "from_future" : "ok";
    }
}

using System.Security.Cryptography;
using System.Text;

namespace ExEsdbGater.Frames;

/// <summary>One HMAC key derived from a secret, with its key id.</summary>
public sealed class GaterKey
{
    /// <summary>The shortest secret accepted, in UTF-8 bytes.</summary>
    public const int MinSecretBytes = 32;

    private static readonly byte[] Info = "ex_esdb_gater messages v1"u8.ToArray();

    private readonly KeyedHmac _hmac;

    private GaterKey(string kid, byte[] key)
    {
        Kid = kid;
        KidUtf8 = Encoding.ASCII.GetBytes(kid);
        Key = key;
        _hmac = new KeyedHmac(key);
    }

    /// <summary>HMAC-SHA256 of <paramref name="data"/>.</summary>
    internal void Mac(ReadOnlySpan<byte> data, Span<byte> mac) => _hmac.Compute(data, ReadOnlySpan<byte>.Empty, mac);

    /// <summary>HMAC-SHA256 of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    internal void Mac(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> mac) => _hmac.Compute(first, second, mac);

    /// <summary>The key id written in frames.</summary>
    public string Kid { get; }

    internal byte[] KidUtf8 { get; }

    internal byte[] Key { get; }

    /// <summary>Which HMAC implementation this key uses (for tools and tests).</summary>
    internal KeyedHmac Hmac => _hmac;

    /// <summary>
    /// Derives the key of a secret (HKDF-SHA256, empty salt, info <c>ex_esdb_gater messages v1</c>).
    /// The kid defaults to the first 8 hex characters of SHA-256 of the key.
    /// </summary>
    /// <exception cref="GaterConfigurationException">The secret is shorter than 32 bytes or the kid is malformed.</exception>
    public static GaterKey FromSecret(string secret, string? kid = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var ikm = Encoding.UTF8.GetBytes(secret);
        if (ikm.Length < MinSecretBytes)
        {
            throw new GaterConfigurationException($"A secret must be at least {MinSecretBytes} bytes; this one has {ikm.Length}. Generate one with 'gater keygen'.");
        }
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 32, salt: [], info: Info);
        if (kid is null)
        {
            kid = Convert.ToHexStringLower(SHA256.HashData(key))[..8];
        }
        else if (!FrameRules.IsValidKid(kid) || kid == FrameRules.UnsignedKid)
        {
            throw new GaterConfigurationException($"'{kid}' is not a valid key id (1-64 of A-Z a-z 0-9 _ -, not 'unsigned').");
        }
        return new GaterKey(kid, key);
    }

    /// <inheritdoc />
    public override string ToString() => $"key {Kid}";
}

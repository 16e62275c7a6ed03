using System.Security.Cryptography;
using System.Text;

namespace ExEsdbGater;

/// <summary>One HMAC key derived from a secret, with its key id.</summary>
public sealed class GaterKey
{
    /// <summary>The shortest secret accepted, in UTF-8 bytes.</summary>
    public const int MinSecretBytes = 32;

    private static readonly byte[] Info = "ex_esdb_gater messages v1"u8.ToArray();

    // One keyed HMAC per thread: re-keying OpenSSL for every frame costs more than the hash itself.
    private readonly ThreadLocal<IncrementalHash> _hmac;

    private GaterKey(string kid, byte[] key)
    {
        Kid = kid;
        KidUtf8 = Encoding.ASCII.GetBytes(kid);
        Key = key;
        _hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
    }

    /// <summary>HMAC-SHA256 of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    internal void Mac(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> mac)
    {
        var h = _hmac.Value!;
        h.AppendData(first);
        h.AppendData(second);
        h.GetHashAndReset(mac);
    }

    /// <summary>The key id written in frames.</summary>
    public string Kid { get; }

    internal byte[] KidUtf8 { get; }

    internal byte[] Key { get; }

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

/// <summary>Where the key ring comes from. Defaults: no explicit secrets, environment variables read, unsigned mode off.</summary>
public sealed record KeyRingOptions
{
    /// <summary>The secret that signs (and verifies). When null, <c>SECRET_KEY_BASE</c> is read (if <see cref="UseEnvironment"/>).</summary>
    public string? Secret { get; init; }

    /// <summary>An explicit kid for <see cref="Secret"/>; null for the default kid.</summary>
    public string? SecretKid { get; init; }

    /// <summary>Older secrets accepted for verification during a rotation. When empty, <c>SECRET_KEY_BASE_PREVIOUS</c> (comma-separated) is read.</summary>
    public IReadOnlyList<string> PreviousSecrets { get; init; } = [];

    /// <summary>Extra verification keys with explicit kids.</summary>
    public IReadOnlyList<GaterKey> AdditionalKeys { get; init; } = [];

    /// <summary>Whether to read <c>SECRET_KEY_BASE</c> and <c>SECRET_KEY_BASE_PREVIOUS</c>. Default true.</summary>
    public bool UseEnvironment { get; init; } = true;

    /// <summary>Development only: send and accept unsigned frames. Allowed only when no key is configured. Default false.</summary>
    public bool AllowUnsigned { get; init; }
}

/// <summary>The keys of a node: one signing key and any number of verification-only keys.</summary>
public sealed class KeyRing
{
    /// <summary>The environment variable holding the current secret.</summary>
    public const string SecretVariable = "SECRET_KEY_BASE";

    /// <summary>The environment variable holding previous secrets, comma-separated.</summary>
    public const string PreviousSecretsVariable = "SECRET_KEY_BASE_PREVIOUS";

    private readonly GaterKey[] _keys;

    private KeyRing(GaterKey? signingKey, GaterKey[] keys, bool allowUnsigned)
    {
        SigningKey = signingKey;
        _keys = keys;
        AllowUnsigned = allowUnsigned;
    }

    /// <summary>The key that signs, or null when the ring has none.</summary>
    public GaterKey? SigningKey { get; }

    /// <summary>Every key that verifies (the signing key first).</summary>
    public IReadOnlyList<GaterKey> Keys => _keys;

    /// <summary>True when the ring has at least one key.</summary>
    public bool HasKeys => _keys.Length > 0;

    /// <summary>True in development unsigned mode (only possible without keys).</summary>
    public bool AllowUnsigned { get; }

    /// <summary>A ring of the given keys; the first signs.</summary>
    /// <exception cref="GaterConfigurationException">Two keys share a kid.</exception>
    public static KeyRing Of(params IReadOnlyList<GaterKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var dup = keys.GroupBy(k => k.Kid, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
        {
            throw new GaterConfigurationException($"Two keys share the kid '{dup.Key}'.");
        }
        return new KeyRing(keys.Count > 0 ? keys[0] : null, keys.ToArray(), allowUnsigned: false);
    }

    /// <summary>An empty ring: nothing can be signed, every frame is rejected with <c>no_secret_configured</c>.</summary>
    public static KeyRing Empty { get; } = new(null, [], allowUnsigned: false);

    /// <summary>Development only: an empty ring that sends and accepts unsigned frames.</summary>
    public static KeyRing UnsignedDevelopment { get; } = new(null, [], allowUnsigned: true);

    /// <summary>Builds the ring from options, then the environment (first found wins).</summary>
    /// <exception cref="GaterConfigurationException">A secret is too short, kids collide, or unsigned mode is asked for with keys.</exception>
    public static KeyRing Create(KeyRingOptions? options = null)
    {
        options ??= new KeyRingOptions();
        var keys = new List<GaterKey>();
        var secret = options.Secret;
        if (secret is null && options.UseEnvironment)
        {
            secret = NonEmpty(Environment.GetEnvironmentVariable(SecretVariable));
        }
        if (secret is not null)
        {
            keys.Add(Wrap(() => GaterKey.FromSecret(secret, options.SecretKid), options.Secret is null ? SecretVariable : "the configured secret"));
        }
        IEnumerable<string> previous = options.PreviousSecrets;
        if (options.PreviousSecrets.Count == 0 && options.UseEnvironment)
        {
            previous = (NonEmpty(Environment.GetEnvironmentVariable(PreviousSecretsVariable)) ?? string.Empty)
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        foreach (var p in previous)
        {
            var k = Wrap(() => GaterKey.FromSecret(p), "a previous secret");
            // the same secret listed twice (current and previous) is one key, not a collision
            if (!keys.Any(x => x.Kid == k.Kid && x.Key.AsSpan().SequenceEqual(k.Key)))
            {
                keys.Add(k);
            }
        }
        keys.AddRange(options.AdditionalKeys);
        if (options.AllowUnsigned)
        {
            return keys.Count == 0 ? UnsignedDevelopment
                : throw new GaterConfigurationException("Unsigned mode can only be switched on when no secret is configured; unset SECRET_KEY_BASE or switch unsigned mode off.");
        }
        return Of(keys);
    }

    internal GaterKey? Find(ReadOnlySpan<byte> kid)
    {
        foreach (var k in _keys)
        {
            if (kid.SequenceEqual(k.KidUtf8))
            {
                return k;
            }
        }
        return null;
    }

    private static GaterKey Wrap(Func<GaterKey> make, string source)
    {
        try
        {
            return make();
        }
        catch (GaterConfigurationException ex)
        {
            throw new GaterConfigurationException($"{source}: {ex.Message}", ex);
        }
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}

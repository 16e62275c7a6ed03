namespace ExEsdbGater.Frames;

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

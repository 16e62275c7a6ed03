namespace ExEsdbGater.Frames;

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

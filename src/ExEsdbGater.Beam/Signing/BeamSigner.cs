using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using ExEsdbGater.Frames;
using ExEsdbGater.Beam.Terms;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Signing;

/// <summary>
/// The original's message security: <c>{:secure_message, signature, {tag, struct}}</c> with
/// signature = HMAC-SHA256(raw SECRET_KEY_BASE bytes, term_to_binary({tag, struct})), or
/// <c>{:unsecured_message, {tag, struct}}</c> from a node without a secret.
/// </summary>
/// <remarks>
/// term_to_binary is not canonical (docs/beam.md), so verification re-encodes the received message with its map pairs
/// in the order received and tries both atom encodings (<see cref="SignatureProfile"/>), for every secret (current,
/// then previous). Signing uses <see cref="SignatureProfile.Otp25"/> by default: what an OTP ≤ 25 receiver recomputes.
/// </remarks>
internal sealed class BeamSigner
{
    /// <summary>The signature's size: HMAC-SHA256.</summary>
    public const int SignatureBytes = 32;

    private static readonly Atom SecureMessage = Atom.Intern("secure_message");
    private static readonly Atom UnsecuredMessage = Atom.Intern("unsecured_message");
    private static readonly SignatureProfile[] Profiles = [SignatureProfile.Otp25, SignatureProfile.Otp26];

    private readonly byte[][] _secrets;

    // One keyed HMAC per secret, for all threads: setting a key up costs about as much as hashing a message.
    private readonly KeyedHmac[] _macs;

    /// <param name="secrets">Raw secrets, the current one first (the one that signs); may be empty.</param>
    /// <param name="allowUnsecured">Accept <c>{:unsecured_message, …}</c>; off by default (fail closed).</param>
    /// <param name="signingProfile">The encoding <see cref="Sign"/> uses.</param>
    public BeamSigner(IEnumerable<byte[]> secrets, bool allowUnsecured = false, SignatureProfile signingProfile = SignatureProfile.Otp25)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _secrets = secrets.Select(s => s is { Length: > 0 } ? s.ToArray() : throw new ArgumentException("a secret is empty", nameof(secrets))).ToArray();
        _macs = _secrets.Select(s => new KeyedHmac(s)).ToArray();
        AllowUnsecured = allowUnsecured;
        SigningProfile = signingProfile;
    }

    /// <summary>Secrets as SECRET_KEY_BASE strings: their UTF-8 bytes, as the original uses them (no key derivation).</summary>
    public static BeamSigner FromSecrets(IEnumerable<string> secrets, bool allowUnsecured = false, SignatureProfile signingProfile = SignatureProfile.Otp25)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        return new BeamSigner(secrets.Select(Encoding.UTF8.GetBytes), allowUnsecured, signingProfile);
    }

    /// <summary>
    /// The secrets a <see cref="KeyRing"/> would be built from (<see cref="KeyRingOptions.Secret"/> or
    /// SECRET_KEY_BASE, then <see cref="KeyRingOptions.PreviousSecrets"/> or SECRET_KEY_BASE_PREVIOUS), raw.
    /// </summary>
    public static BeamSigner FromKeyRingOptions(KeyRingOptions? options = null, SignatureProfile signingProfile = SignatureProfile.Otp25)
    {
        options ??= new KeyRingOptions();
        var secrets = new List<string>();
        var secret = options.Secret ?? (options.UseEnvironment ? Environment.GetEnvironmentVariable(KeyRing.SecretVariable) : null);
        if (!string.IsNullOrEmpty(secret))
        {
            secrets.Add(secret);
        }
        IEnumerable<string> previous = options.PreviousSecrets;
        if (options.PreviousSecrets.Count == 0 && options.UseEnvironment)
        {
            previous = (Environment.GetEnvironmentVariable(KeyRing.PreviousSecretsVariable) ?? "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        secrets.AddRange(previous.Where(p => !secrets.Contains(p, StringComparer.Ordinal)));
        return FromSecrets(secrets, options.AllowUnsigned && secrets.Count == 0, signingProfile);
    }

    public bool HasSecret => _secrets.Length > 0;

    public bool AllowUnsecured { get; }

    public SignatureProfile SigningProfile { get; }

    /// <summary>The profile in words, for logs and envelopes.</summary>
    public static string Describe(SignatureProfile profile) => profile switch
    {
        SignatureProfile.Otp25 => "OTP ≤ 25 (latin-1 atoms, received map order)",
        SignatureProfile.Otp26 => "OTP ≥ 26 (UTF-8 atoms, received map order)",
        _ => profile.ToString(),
    };

    /// <summary>The atom encoding of a profile.</summary>
    public static AtomEncoding AtomEncodingOf(SignatureProfile profile)
        => profile == SignatureProfile.Otp26 ? AtomEncoding.Utf8 : AtomEncoding.Latin1;

    /// <summary>HMAC-SHA256(secret, term_to_binary(message)) with the profile's atom encoding.</summary>
    public static byte[] ComputeSignature(Term message, ReadOnlySpan<byte> secret, SignatureProfile profile)
    {
        var signature = new byte[SignatureBytes];
        ComputeSignature(message, secret, profile, signature);
        return signature;
    }

    /// <summary>As <see cref="ComputeSignature(Term, ReadOnlySpan{byte}, SignatureProfile)"/> into <paramref name="destination"/> (32 bytes), encoding in a pooled buffer.</summary>
    public static void ComputeSignature(Term message, ReadOnlySpan<byte> secret, SignatureProfile profile, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(message);
        var atoms = AtomEncodingOf(profile);
        var size = 1 + EtfWriter.GetSize(message, atoms);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            buffer[0] = EtfReader.VersionByte;
            EtfWriter.Write(buffer.AsSpan(1, size - 1), message, atoms);
            HMACSHA256.HashData(secret, buffer.AsSpan(0, size), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// <c>{:secure_message, signature, message}</c> signed with the current secret under <paramref name="profile"/>
    /// (default: <see cref="SigningProfile"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">No secret: use <see cref="Wrap"/> to send unsigned as the original does.</exception>
    public Tuple Sign(Tuple message, SignatureProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!HasSecret)
        {
            throw new InvalidOperationException("no secret to sign with (SECRET_KEY_BASE is not set)");
        }
        return new Tuple(SecureMessage, new Binary(ComputeSignature(message, _secrets[0], profile ?? SigningProfile)), message);
    }

    /// <summary>What the original broadcasts: signed when it has a secret, else <c>{:unsecured_message, message}</c>.</summary>
    public Tuple Wrap(Tuple message) => HasSecret ? Sign(message) : new Tuple(UnsecuredMessage, message);

    /// <summary>Checks a received term as the original's <c>validate_secure_message/1</c> does, in both profiles.</summary>
    public BeamVerification Verify(Term received)
    {
        ArgumentNullException.ThrowIfNull(received);
        if (received is Tuple { Arity: 2 } u && u[0].Equals(UnsecuredMessage))
        {
            if (!IsMessage(u[1], out var inner, out var why))
            {
                return BeamVerification.Rejected(RejectReason.InvalidFormat, $"unsecured_message: {why}");
            }
            return AllowUnsecured
                ? BeamVerification.Unsigned(inner)
                : BeamVerification.Rejected(RejectReason.UnsecuredMessageRejected, "unsecured_message, and unsigned messages are not allowed");
        }
        if (received is not Tuple { Arity: 3 } s || !s[0].Equals(SecureMessage))
        {
            return BeamVerification.Rejected(RejectReason.InvalidFormat, $"not {{:secure_message, signature, message}} or {{:unsecured_message, message}}: {Describe(received)}");
        }
        if (s[1] is not Binary { IsBitString: false, Bytes.Length: SignatureBytes } signature)
        {
            return BeamVerification.Rejected(RejectReason.InvalidFormat, $"the signature is not a {SignatureBytes}-byte binary: {Describe(s[1])}");
        }
        if (!IsMessage(s[2], out var message, out var reason))
        {
            return BeamVerification.Rejected(RejectReason.InvalidFormat, $"secure_message: {reason}");
        }
        if (!HasSecret)
        {
            return BeamVerification.Rejected(RejectReason.NoSecretConfigured, "a signed message, and no secret is configured (SECRET_KEY_BASE)");
        }
        Span<byte> expected = stackalloc byte[SignatureBytes];
        foreach (var profile in Profiles)
        {
            var atoms = AtomEncodingOf(profile);
            var size = 1 + EtfWriter.GetSize(message, atoms);
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                buffer[0] = EtfReader.VersionByte;
                EtfWriter.Write(buffer.AsSpan(1, size - 1), message, atoms);
                for (var i = 0; i < _secrets.Length; i++)
                {
                    Mac(i, buffer.AsSpan(0, size), expected);
                    if (CryptographicOperations.FixedTimeEquals(expected, signature.Bytes.Span))
                    {
                        return BeamVerification.Verified(message, profile, i);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return BeamVerification.Rejected(
            RejectReason.InvalidSignature,
            $"the signature matches none of {_secrets.Length} secret(s) under {Describe(SignatureProfile.Otp25)} or {Describe(SignatureProfile.Otp26)}");
    }

    /// <summary>HMAC-SHA256 with secret <paramref name="i"/>, as <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/> computes it.</summary>
    private void Mac(int i, ReadOnlySpan<byte> data, Span<byte> destination) => _macs[i].Compute(data, [], destination);

    // The original signs {tag, %Struct{}}: a 2-tuple of an atom and a map.
    private static bool IsMessage(Term term, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Tuple? message, out string why)
    {
        message = term as Tuple;
        if (message is { Arity: 2 } && message[0] is Atom && message[1] is Map)
        {
            why = "";
            return true;
        }
        message = null;
        why = $"the message is not {{tag, %Struct{{}}}}: {Describe(term)}";
        return false;
    }

    private static string Describe(Term term)
    {
        var text = term.ToString();
        return text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");
    }
}

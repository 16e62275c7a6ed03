using ExEsdbGater.Frames;
using ExEsdbGater.Beam.Terms;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Signing;

/// <summary>
/// The outcome of checking a received <c>{:secure_message, …}</c> / <c>{:unsecured_message, …}</c> term: the inner
/// message and how it was verified, or the reason (the project's names) and a detail for logs.
/// </summary>
internal sealed class BeamVerification
{
    private string? _detail;

    private BeamVerification(RejectReason? reason, string? detail, Tuple? message, SignatureProfile? profile, int secretIndex)
    {
        Reason = reason;
        _detail = detail;
        Message = message;
        Profile = profile;
        SecretIndex = secretIndex;
    }

    /// <summary>True when the message is accepted (signed and verified, or unsigned and explicitly allowed).</summary>
    public bool IsValid => Reason is null;

    /// <summary>Why it was rejected: InvalidFormat, UnsecuredMessageRejected, NoSecretConfigured or InvalidSignature.</summary>
    public RejectReason? Reason { get; }

    /// <summary>What was checked or what failed, in words.</summary>
    public string Detail => _detail ??= $"signature matches secret {SecretIndex} under {BeamSigner.Describe(Profile ?? SignatureProfile.Otp25)}";

    /// <summary>The inner <c>{tag, struct}</c> when accepted.</summary>
    public Tuple? Message { get; }

    /// <summary>The profile whose encoding the signature matched; null for an accepted unsigned message.</summary>
    public SignatureProfile? Profile { get; }

    /// <summary>Which secret matched (0 = the current one, then the previous ones in order); -1 if none.</summary>
    public int SecretIndex { get; }

    /// <summary>True when accepted with a signature.</summary>
    public bool IsSigned => IsValid && Profile is not null;

    internal static BeamVerification Verified(Tuple message, SignatureProfile profile, int secretIndex)
        => new(null, null, message, profile, secretIndex); // the detail is made only if asked for: this is the hot path

    internal static BeamVerification Unsigned(Tuple message)
        => new(null, "unsecured message accepted (unsigned messages are allowed)", message, null, -1);

    internal static BeamVerification Rejected(RejectReason reason, string detail) => new(reason, detail, null, null, -1);

    public override string ToString() => IsValid ? Detail : $"{Reason}: {Detail}";
}

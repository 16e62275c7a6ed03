namespace ExEsdbGater.Beam.Signing;

/// <summary>
/// Which sender's <c>term_to_binary</c> a signature was computed over. Both keep map pairs in the order received
/// (the sender's order); they differ in how atoms are written.
/// </summary>
internal enum SignatureProfile
{
    /// <summary>OTP ≤ 25: latin-1 atoms as ATOM_EXT (100, 2-byte length); what the original signs on OTP 25.</summary>
    Otp25,

    /// <summary>OTP ≥ 26: atoms as SMALL_ATOM_UTF8_EXT (119) / ATOM_UTF8_EXT (118).</summary>
    Otp26,
}

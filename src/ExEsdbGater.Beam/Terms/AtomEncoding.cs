namespace ExEsdbGater.Beam.Terms;

/// <summary>How <see cref="EtfWriter"/> writes atoms: the one place where OTP releases' term_to_binary differ.</summary>
internal enum AtomEncoding
{
    /// <summary>
    /// OTP ≤ 25's default (minor_version 1): a latin-1 atom as ATOM_EXT (100, 2-byte length, even when short); any
    /// other as SMALL_ATOM_UTF8_EXT (119) or, from 256 UTF-8 bytes, ATOM_UTF8_EXT (118).
    /// </summary>
    Latin1,

    /// <summary>
    /// OTP ≥ 26's default (minor_version 2) and what the distribution carries: SMALL_ATOM_UTF8_EXT (119) below 256
    /// UTF-8 bytes, else ATOM_UTF8_EXT (118).
    /// </summary>
    Utf8,
}

namespace ExEsdbGater.Frames;

/// <summary>
/// The per-process random start of the frame path's own hashes (replay keys, duplicate member names): without it,
/// colliding inputs could be prepared in advance.
/// </summary>
internal static class HashSeed
{
    public static readonly ulong Value = (ulong)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue) << 32
        | (uint)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ExEsdbGater.Frames;

/// <summary>
/// OpenSSL's SHA-256 context functions (<c>SHA256_Init/Update/Final</c> of libcrypto), called directly: the one-shot
/// and incremental HMACs of .NET cost about twice the hashing itself on Linux (a context copy, a free and an error-queue
/// clear per call), which a saved SHA-256 state copied by value avoids.
/// </summary>
/// <remarks>
/// Used only on Linux, not in FIPS mode (these functions bypass OpenSSL's providers, the FIPS one included), only when
/// libcrypto exports the functions, and only when a self-check against .NET's HMAC agrees and finds the context
/// within its room.
/// </remarks>
internal static unsafe class OpenSslSha256
{
    private static readonly delegate* unmanaged<State*, int> s_init;
    private static readonly delegate* unmanaged<State*, byte*, nuint, int> s_update;
    private static readonly delegate* unmanaged<byte*, State*, int> s_final;

#pragma warning disable CA1810 // the checks must run in order, once; a static constructor says so plainly
    static OpenSslSha256()
#pragma warning restore CA1810
    {
        if (!OperatingSystem.IsLinux())
        {
            Why = "not Linux";
            return;
        }
        if (FipsEnabled())
        {
            Why = "the kernel is in FIPS mode";
            return;
        }
        // .NET's own crypto first, so that its libcrypto is the one already in the process when probed
        _ = SHA256.HashData(ReadOnlySpan<byte>.Empty);
        foreach (var name in (ReadOnlySpan<string>)["libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so.4", "libcrypto.so"])
        {
            if (!NativeLibrary.TryLoad(name, out var lib))
            {
                continue;
            }
            if (NativeLibrary.TryGetExport(lib, "SHA256_Init", out var init)
                && NativeLibrary.TryGetExport(lib, "SHA256_Update", out var update)
                && NativeLibrary.TryGetExport(lib, "SHA256_Final", out var final))
            {
                s_init = (delegate* unmanaged<State*, int>)init;
                s_update = (delegate* unmanaged<State*, byte*, nuint, int>)update;
                s_final = (delegate* unmanaged<byte*, State*, int>)final;
                Library = name;
                break;
            }
            NativeLibrary.Free(lib);
        }
        if (Library is null)
        {
            Why = "no libcrypto with SHA256_Init/Update/Final";
            return;
        }
        IsAvailable = SelfCheck();
        Why = IsAvailable ? null : $"{Library} disagreed with .NET's HMAC-SHA256";
    }

    /// <summary>True when HMACs are computed from saved OpenSSL SHA-256 states.</summary>
    public static bool IsAvailable { get; }

    /// <summary>The library loaded (null when none).</summary>
    public static string? Library { get; }

    /// <summary>Why the direct path is not used (null when it is).</summary>
    public static string? Why { get; }

    /// <summary>A fresh SHA-256 state that has absorbed <paramref name="block"/>.</summary>
    public static State Absorbing(ReadOnlySpan<byte> block)
    {
        State s = default;
        Check(s_init(&s));
        Update(ref s, block);
        return s;
    }

    public static void Update(ref State s, ReadOnlySpan<byte> data)
    {
        fixed (State* ps = &s)
        fixed (byte* p = data)
        {
            Check(s_update(ps, p, (nuint)data.Length));
        }
    }

    /// <summary>Writes the 32-byte digest; OpenSSL wipes the state's data block (its chaining words keep the digest).</summary>
    public static void Final(ref State s, Span<byte> digest)
    {
        if (digest.Length < 32)
        {
            throw new ArgumentException("A SHA-256 digest needs 32 bytes.", nameof(digest));
        }
        fixed (State* ps = &s)
        fixed (byte* p = digest)
        {
            Check(s_final(p, ps));
        }
    }

    private static void Check(int ok)
    {
        if (ok != 1)
        {
            throw new CryptographicException("OpenSSL's SHA-256 failed.");
        }
    }

    // Before any use: the context must stay within State's room (a canary after OpenSSL's 112 bytes), and the direct
    // path must give .NET's HMAC for every length class (empty, one block, across the padding boundary, several
    // blocks), in one part and in two, with a key of one block and one longer, or it is not used at all.
    private static bool SelfCheck()
    {
        try
        {
            State probe = default;
            var bytes = MemoryMarshal.AsBytes((Span<uint>)probe);
            bytes.Fill(0xA5);
            Check(s_init(&probe));
            Update(ref probe, "abc"u8);
            Span<byte> digest = stackalloc byte[32];
            Final(ref probe, digest);
            if (bytes[UsedBytes..].ContainsAnyExcept((byte)0xA5) || !digest.SequenceEqual(SHA256.HashData("abc"u8)))
            {
                return false;
            }
            Span<byte> ours = stackalloc byte[32];
            Span<byte> theirs = stackalloc byte[32];
            foreach (var keyLength in (ReadOnlySpan<int>)[32, 100])
            {
                var key = new byte[keyLength];
                for (var i = 0; i < key.Length; i++)
                {
                    key[i] = (byte)(i * 7 + 1);
                }
                var hmac = new KeyedHmac.Pads(key);
                foreach (var length in (ReadOnlySpan<int>)[0, 1, 55, 56, 63, 64, 65, 447, 4096])
                {
                    var data = new byte[length];
                    for (var i = 0; i < length; i++)
                    {
                        data[i] = (byte)(i * 31 + length);
                    }
                    HMACSHA256.HashData(key, data, theirs);
                    hmac.Compute(data, ReadOnlySpan<byte>.Empty, ours);
                    var whole = ours.SequenceEqual(theirs);
                    hmac.Compute(data.AsSpan(0, length / 3), data.AsSpan(length / 3), ours);
                    if (!whole || !ours.SequenceEqual(theirs))
                    {
                        return false;
                    }
                }
            }
            return true;
        }
#pragma warning disable CA1031 // any failure of the native path means: do not use it
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    // The size of OpenSSL's SHA256_CTX; State has 16 bytes more, which the self-check requires it leave alone.
    private const int UsedBytes = 112;

    private static bool FipsEnabled()
    {
        try
        {
            return File.Exists("/proc/sys/crypto/fips_enabled") && File.ReadAllText("/proc/sys/crypto/fips_enabled").Trim() == "1";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Room for OpenSSL's <c>SHA256_CTX</c> (112 bytes: h[8], Nl, Nh, data[16], num, md_len), with margin; copied by
    /// value to start a hash from a saved state.
    /// </summary>
    [InlineArray(32)]
    public struct State
    {
        private uint _word;
    }
}

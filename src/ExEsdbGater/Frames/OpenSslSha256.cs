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
/// Used only on Linux, only when libcrypto exports the functions and a self-check against .NET's HMAC agrees.
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
        foreach (var name in (ReadOnlySpan<string>)["libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"])
        {
            if (NativeLibrary.TryLoad(name, out var lib)
                && NativeLibrary.TryGetExport(lib, "SHA256_Init", out var init)
                && NativeLibrary.TryGetExport(lib, "SHA256_Update", out var update)
                && NativeLibrary.TryGetExport(lib, "SHA256_Final", out var final))
            {
                s_init = (delegate* unmanaged<State*, int>)init;
                s_update = (delegate* unmanaged<State*, byte*, nuint, int>)update;
                s_final = (delegate* unmanaged<byte*, State*, int>)final;
                Library = name;
                break;
            }
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

    /// <summary>Writes the 32-byte digest; OpenSSL wipes the state.</summary>
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

    // Before any use: the direct path must give .NET's HMAC for every length class (empty, one block, across the
    // padding boundary, several blocks), or it is not used at all.
    private static bool SelfCheck()
    {
        try
        {
            var key = new byte[32];
            for (var i = 0; i < key.Length; i++)
            {
                key[i] = (byte)(i * 7 + 1);
            }
            var hmac = new KeyedHmac.Pads(key);
            Span<byte> ours = stackalloc byte[32];
            Span<byte> theirs = stackalloc byte[32];
            foreach (var length in (ReadOnlySpan<int>)[0, 1, 55, 56, 63, 64, 65, 447, 4096])
            {
                var data = new byte[length];
                for (var i = 0; i < length; i++)
                {
                    data[i] = (byte)(i * 31 + length);
                }
                hmac.Compute(data, ReadOnlySpan<byte>.Empty, ours);
                HMACSHA256.HashData(key, data, theirs);
                if (!ours.SequenceEqual(theirs))
                {
                    return false;
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

using System.Security.Cryptography;

namespace ExEsdbGater.Frames;

/// <summary>
/// HMAC-SHA256 under one key, for any number of threads at once. Where <see cref="OpenSslSha256"/> is available it
/// is RFC 2104 over saved SHA-256 states of the padded key (no per-call setup); otherwise .NET's keyed
/// <see cref="IncrementalHash"/>, one per thread. The AppContext switch <see cref="PlatformHmacSwitch"/>, read when a
/// key is made, keeps every later key on .NET's HMAC without loading anything (for example where only OpenSSL's FIPS
/// provider may hash and the kernel does not say so): set it in the runtimeconfig's <c>configProperties</c>, with
/// <c>RuntimeHostConfigurationOption</c> in the project, or with <see cref="AppContext.SetSwitch"/> before the first key.
/// </summary>
internal sealed class KeyedHmac
{
    /// <summary>AppContext switch: true keeps HMAC on .NET's own implementation.</summary>
    public const string PlatformHmacSwitch = "ExEsdbGater.UsePlatformHmac";

    private readonly Pads? _pads;
    private readonly ThreadLocal<IncrementalHash>? _platform;
    private readonly bool _switchedOff;

    public KeyedHmac(byte[] key)
        : this(key, AppContext.TryGetSwitch(PlatformHmacSwitch, out var platform) && platform)
    {
    }

    internal KeyedHmac(byte[] key, bool platform)
    {
        _switchedOff = platform;
        // the switch is tested first: with it set, OpenSslSha256 is never loaded
        if (!platform && OpenSslSha256.IsAvailable)
        {
            _pads = new Pads(key);
        }
        else
        {
            // re-keying OpenSSL for every frame costs more than the hash itself: one keyed HMAC per thread
            _platform = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
        }
    }

    /// <summary>True when this key's HMACs start from saved SHA-256 states.</summary>
    public bool UsesSavedStates => _pads is not null;

    /// <summary>Which implementation computes this key's HMACs (for tools and tests).</summary>
    public string Implementation => _pads is not null
        ? $"saved SHA-256 states ({OpenSslSha256.Library})"
        : $".NET HMAC ({(_switchedOff ? "switched on: " + PlatformHmacSwitch : OpenSslSha256.Why)})";

    /// <summary>HMAC-SHA256 of <paramref name="first"/> followed by <paramref name="second"/>.</summary>
    public void Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> mac)
    {
        if (_pads is not null)
        {
            _pads.Compute(first, second, mac);
            return;
        }
        var h = _platform!.Value!;
        if (!second.IsEmpty && first.Length + second.Length <= ContiguousBytes)
        {
            // each call into .NET's HMAC costs ~125 ns beyond the hashing, more than copying a few KiB; a thread's
            // own buffer, as stackalloc would zero 4 KiB per call
            var joined = t_joined ??= new byte[ContiguousBytes];
            first.CopyTo(joined);
            second.CopyTo(joined.AsSpan(first.Length));
            h.AppendData(joined.AsSpan(0, first.Length + second.Length));
        }
        else
        {
            h.AppendData(first);
            h.AppendData(second);
        }
        h.GetHashAndReset(mac);
    }

    private const int ContiguousBytes = 4096;

    [ThreadStatic]
    private static byte[]? t_joined;

    /// <summary>The SHA-256 states after the inner and outer padded key (a key longer than a block is hashed first).</summary>
    internal sealed class Pads
    {
        private const int Block = 64;
        private readonly OpenSslSha256.State _inner;
        private readonly OpenSslSha256.State _outer;

        public Pads(byte[] key)
        {
            Span<byte> padded = stackalloc byte[Block];
            Span<byte> pad = stackalloc byte[Block];
            // the key's zero padding (RFC 2104), not left to stack zeroing: under SkipLocalsInit the self-check
            // failed on it and every MAC quietly took .NET's slower path
            padded.Clear();
            try
            {
                if (key.Length > Block)
                {
                    SHA256.HashData(key, padded);
                }
                else
                {
                    key.CopyTo(padded);
                }
                for (var i = 0; i < Block; i++)
                {
                    pad[i] = (byte)(padded[i] ^ 0x36);
                }
                _inner = OpenSslSha256.Absorbing(pad);
                for (var i = 0; i < Block; i++)
                {
                    pad[i] = (byte)(padded[i] ^ 0x5c);
                }
                _outer = OpenSslSha256.Absorbing(pad);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(padded);
                CryptographicOperations.ZeroMemory(pad);
            }
        }

        public void Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> mac)
        {
            // copies of the saved states, on this stack: nothing shared is written
            var s = _inner;
            OpenSslSha256.Update(ref s, first);
            if (!second.IsEmpty)
            {
                OpenSslSha256.Update(ref s, second);
            }
            Span<byte> innerDigest = stackalloc byte[32];
            OpenSslSha256.Final(ref s, innerDigest);
            s = _outer;
            OpenSslSha256.Update(ref s, innerDigest);
            OpenSslSha256.Final(ref s, mac);
        }
    }
}

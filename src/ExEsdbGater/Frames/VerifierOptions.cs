using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExEsdbGater.Frames;

/// <summary>Receiver settings. Defaults: max age 300 s, max skew 30 s, replay memory of 100,000 entries, system clock.</summary>
public sealed record VerifierOptions
{
    /// <summary>Frames older than this are <c>expired</c>; accepted ids are remembered this long. Default 5 minutes.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Frames newer than now plus this are <c>from_future</c>. Default 30 seconds.</summary>
    public TimeSpan MaxSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most (node, id) pairs remembered for replay detection. Default 1,000,000 (about 40 MB, entries hold no
    /// references). When full, the oldest entry is forgotten early and the eviction is reported.
    /// </summary>
    public int ReplayCapacity { get; init; } = 1_000_000;

    /// <summary>The clock. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where rejections are logged. Default: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}

using System.Globalization;

namespace ExEsdbGater.Bus;

/// <summary>Checks options when they are handed over, so a bad setting fails at start with its name, not later.</summary>
internal static class OptionsCheck
{
    public static GaterBusOptions Bus(GaterBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        AtLeast(options.InboundCapacity, 1, "GaterBusOptions.InboundCapacity");
        AtLeast(options.EventQueueCapacity, 1, "GaterBusOptions.EventQueueCapacity");
        AtLeast(options.ReceiveWorkers, 1, "GaterBusOptions.ReceiveWorkers");
        if (options.ReceiveWorkers > GaterDefaults.MaxReceiveWorkers)
        {
            throw new GaterConfigurationException(string.Create(CultureInfo.InvariantCulture, $"GaterBusOptions.ReceiveWorkers must be at most {GaterDefaults.MaxReceiveWorkers} (was {options.ReceiveWorkers})."));
        }
        if (options.InboundMaxBytes < FrameRules.MaxFrameBytes)
        {
            throw new GaterConfigurationException(string.Create(CultureInfo.InvariantCulture, $"GaterBusOptions.InboundMaxBytes must be at least {FrameRules.MaxFrameBytes} (was {options.InboundMaxBytes})."));
        }
        if (options.Verifier is null)
        {
            throw new GaterConfigurationException("GaterBusOptions.Verifier must not be null.");
        }
        Verifier(options.Verifier, "GaterBusOptions.Verifier.");
        if (options.Links is null || options.Links.Any(b => b is null))
        {
            throw new GaterConfigurationException("GaterBusOptions.Links must not be null or hold null.");
        }
        if (options.Links.Distinct().Count() != options.Links.Count)
        {
            throw new GaterConfigurationException("GaterBusOptions.Links holds the same link twice: each of its messages would arrive twice.");
        }
        return options;
    }

    public static void Verifier(VerifierOptions options, string prefix = "VerifierOptions.")
    {
        NotNegative(options.MaxAge, prefix + "MaxAge");
        NotNegative(options.MaxSkew, prefix + "MaxSkew");
        AtLeast(options.ReplayCapacity, 1, prefix + "ReplayCapacity");
        AtLeast(options.RejectedFrameCaptureBytes, 0, prefix + "RejectedFrameCaptureBytes");
        AtLeast(options.RejectedFrameCapturesPerSecond, 0, prefix + "RejectedFrameCapturesPerSecond");
        if (!Enum.IsDefined(options.ReplayStoreFailure))
        {
            throw new GaterConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{prefix}ReplayStoreFailure is not a ReplayStoreFailureMode value (was {(int)options.ReplayStoreFailure})."));
        }
        if (options.TimeProvider is null)
        {
            throw new GaterConfigurationException(prefix + "TimeProvider must not be null.");
        }
    }

    public static void Subscription(SubscriptionOptions options)
    {
        if (options.Capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Capacity, "SubscriptionOptions.Capacity must be at least 1.");
        }
        if (!Enum.IsDefined(options.FullMode))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FullMode, "SubscriptionOptions.FullMode is not a QueueFullMode value.");
        }
    }

    private static void AtLeast(int value, int min, string name)
    {
        if (value < min)
        {
            throw new GaterConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{name} must be at least {min} (was {value})."));
        }
    }

    private static void NotNegative(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero)
        {
            throw new GaterConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{name} must not be negative (was {value})."));
        }
    }
}

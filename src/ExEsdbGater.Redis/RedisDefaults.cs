namespace ExEsdbGater.Redis;

/// <summary>The defaults of <see cref="RedisBackplaneOptions"/> and <see cref="RedisReplayStoreOptions"/>, in one place; a test pins each one.</summary>
internal static class RedisDefaults
{
    /// <summary>Channel prefix.</summary>
    public const string Prefix = "exg:";

    /// <summary>Frames of one channel published in a burst go out as one Redis message.</summary>
    public const bool BatchFrames = true;

    /// <summary>Bytes of received frames that may wait in the client ahead of verification (estimated).</summary>
    public const long ReceiveBacklogMaxBytes = 64L * 1024 * 1024;

    /// <summary>How long the first connection may take.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long one replay-store check may take.</summary>
    public static readonly TimeSpan ReplayTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Entries a durable stream keeps at least (approximate trimming).</summary>
    public const long StreamMaxLength = 1_000_000;

    /// <summary>How long a durable reader waits for a notification before it looks anyway.</summary>
    public static readonly TimeSpan ReadFallbackInterval = TimeSpan.FromSeconds(1);
}

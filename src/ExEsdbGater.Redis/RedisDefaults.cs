namespace ExEsdbGater.Redis;

/// <summary>The defaults of <see cref="RedisBackplaneOptions"/> and <see cref="RedisReplayStoreOptions"/>, in one place; a test pins each one.</summary>
internal static class RedisDefaults
{
    /// <summary>Channel prefix.</summary>
    public const string Prefix = "exg:";

    /// <summary>How long the first connection may take.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long one replay-store check may take.</summary>
    public static readonly TimeSpan ReplayTimeout = TimeSpan.FromSeconds(1);
}

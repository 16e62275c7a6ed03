namespace ExEsdbGater.Beam;

/// <summary>The defaults of <see cref="BeamLinkOptions"/>, in one place.</summary>
public static class BeamDefaults
{
    /// <summary>EPMD's port: 4369.</summary>
    public const int EpmdPort = 4369;

    /// <summary>Erlang's default net_ticktime: 60 seconds.</summary>
    public static readonly TimeSpan NetTickTime = TimeSpan.FromSeconds(60);

    /// <summary>One connection attempt: 10 seconds.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between reconnection attempts: 30 seconds.</summary>
    public static readonly TimeSpan ReconnectMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>The link's name, in logs and in <see cref="ExEsdbGater.Frames.Envelope.Origin"/>: <c>beam</c>.</summary>
    public const string Name = "beam";

    /// <summary>How often a connected node whose Phoenix.PubSub scope has not answered is asked again: 1 second.</summary>
    internal static readonly TimeSpan RediscoverEvery = TimeSpan.FromSeconds(1);

    /// <summary>Bytes of a refused message's encoding kept for forensics: 1,024.</summary>
    public const int RejectedTermCaptureBytes = 1024;
}

using System.Net;
using ExEsdbGater.Frames;
using Microsoft.Extensions.Logging;

namespace ExEsdbGater.Beam;

/// <summary>
/// Settings of a <see cref="BeamLink"/>. Every default is stated on its property; <see cref="BeamLink.StartAsync"/>
/// checks them.
/// </summary>
public sealed record BeamLinkOptions
{
    /// <summary>This node's Erlang name: <c>name</c> (the host is added) or <c>name@host</c>.</summary>
    /// <value>Default null: <c>gater&lt;process id&gt;</c> on this host.</value>
    public string? NodeName { get; init; }

    /// <summary>Long names (<c>name@fully.qualified.host</c>, as <c>elixir --name</c>) instead of short ones (<c>--sname</c>).</summary>
    /// <value>Default false: short names.</value>
    public bool LongNames { get; init; }

    /// <summary>The cluster's Erlang cookie.</summary>
    /// <value>Default null: <c>EXG_BEAM_COOKIE</c>, else <c>~/.erlang.cookie</c>.</value>
    public string? Cookie { get; init; }

    /// <summary>The Elixir nodes to connect to (<c>name@host</c>); each is kept connected, reconnecting with backoff.</summary>
    /// <value>Default empty: only nodes that connect to this one.</value>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>
    /// The secrets the original signs with, as the raw strings its <c>secret_key_base</c> holds: the first signs,
    /// all verify.
    /// </summary>
    /// <value>Default null: <c>SECRET_KEY_BASE</c>, then the comma-separated <c>SECRET_KEY_BASE_PREVIOUS</c>.</value>
    public IReadOnlyList<string>? Secrets { get; init; }

    /// <summary>
    /// Accept <c>{:unsecured_message, msg}</c> and send unsigned when no secret is set, as the original does. Off, an
    /// unsigned message is refused as <c>unsecured_message_rejected</c> and a link without a secret does not start.
    /// </summary>
    /// <value>Default false.</value>
    public bool AllowUnsecured { get; init; }

    /// <summary>Where this node listens for BEAM nodes connecting to it (a free port is taken and registered with EPMD).</summary>
    /// <value>Default <see cref="IPAddress.Any"/>: every interface, so nodes on other hosts can connect back.</value>
    public IPAddress ListenAddress { get; init; } = IPAddress.Any;

    /// <summary>The EPMD port, on this host.</summary>
    /// <value>Default 4369.</value>
    public int EpmdPort { get; init; } = BeamDefaults.EpmdPort;

    /// <summary>Erlang's net_ticktime: a peer silent this long is disconnected; this node ticks when idle for half of it.</summary>
    /// <value>Default 60 seconds, as Erlang's.</value>
    public TimeSpan NetTickTime { get; init; } = BeamDefaults.NetTickTime;

    /// <summary>How long one connection attempt (EPMD lookup, TCP connect, handshake) may take.</summary>
    /// <value>Default 10 seconds.</value>
    public TimeSpan ConnectTimeout { get; init; } = BeamDefaults.ConnectTimeout;

    /// <summary>The longest wait between reconnection attempts (the wait doubles from 250 ms up to this).</summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan ReconnectMaxDelay { get; init; } = BeamDefaults.ReconnectMaxDelay;

    /// <summary>The clock.</summary>
    /// <value>Default null: the system clock.</value>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Where the link logs.</summary>
    /// <value>Default null: nowhere.</value>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The secrets to use: <see cref="Secrets"/>, else those the environment gives a key ring.</summary>
    internal IReadOnlyList<string> ResolveSecrets()
    {
        if (Secrets is not null)
        {
            return Secrets;
        }
        var list = new List<string>();
        if (Environment.GetEnvironmentVariable(KeyRing.SecretVariable) is { Length: > 0 } s)
        {
            list.Add(s);
        }
        list.AddRange((Environment.GetEnvironmentVariable(KeyRing.PreviousSecretsVariable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return list;
    }
}

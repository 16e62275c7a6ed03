using System.Collections.Concurrent;
using System.Globalization;
using ExEsdbGater.Backplanes;
using ExEsdbGater.Frames;
using ExEsdbGater.Messages;
using ExEsdbGater.Beam.Distribution;
using ExEsdbGater.Beam.PubSub;
using ExEsdbGater.Beam.Signing;
using ExEsdbGater.Beam.Terms;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExEsdbGater.Beam;

/// <summary>
/// Makes a bus a member of the original's cluster: a hidden Erlang node that joins Phoenix.PubSub's PG2 groups
/// (<c>:pg</c> scope <c>Phoenix.PubSub</c>) of the instances the bus subscribes to, checks each message the original's
/// way (<c>{:secure_message, HMAC-SHA256(secret, term_to_binary(msg)), msg}</c>) and maps it to its typed message,
/// and sends the bus's broadcasts to the Elixir nodes signed that same way. See docs/beam.md.
/// </summary>
/// <remarks>
/// Give it to the bus as <c>new GaterBusOptions { Links = [link] }</c>; the bus never disposes it. Split by
/// concern: this file holds the lifetime and state; <c>.Receive</c> and <c>.Send</c> the two directions.
/// </remarks>
public sealed partial class BeamLink : IGaterLink
{
    private static readonly Atom PhoenixPubSub = Atom.Intern("Elixir.Phoenix.PubSub");
    private static readonly Atom ForwardToLocal = Atom.Intern("forward_to_local");

    private readonly ErlangNode _node;
    private readonly PgScope _scope;
    private readonly Mailbox _sender;
    private readonly BeamSigner _signer;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, bool> _everConnected = new(StringComparer.Ordinal);
    private long _received, _accepted, _rejected, _sent, _sendFailures;
    private int _disposed;

    private BeamLink(ErlangNode node, BeamSigner signer, BeamLinkOptions options, ILogger logger)
    {
        _node = node;
        _signer = signer;
        _logger = logger;
        _time = options.TimeProvider ?? TimeProvider.System;
        _node.PeerStateChanged += OnPeerState;
        _scope = PgScope.Start(node, logger, BeamDefaults.RediscoverEvery, _time);
        _sender = node.CreateMailbox();
    }

    /// <inheritdoc />
    public string Name => BeamDefaults.Name;

    /// <summary>This node's Erlang name (<c>name@host</c>), as Elixir nodes see it.</summary>
    public string NodeName => _node.Name;

    /// <summary>The BEAM nodes connected now.</summary>
    public IReadOnlyList<string> ConnectedPeers => _node.ConnectedPeers;

    /// <summary>Counts since the link started.</summary>
    public BeamStatistics Statistics => new(
        Interlocked.Read(ref _received), Interlocked.Read(ref _accepted), Interlocked.Read(ref _rejected), Interlocked.Read(ref _sent),
        Interlocked.Read(ref _sendFailures), _node.ConnectedPeers.Count, _node.Stats.Reconnects, _node.Stats.Malformed);

    /// <inheritdoc />
    public event Action<BackplaneStateChange>? StateChanged;

    /// <summary>
    /// Starts the node (registered with EPMD under <see cref="BeamLinkOptions.NodeName"/>) and connects to every
    /// peer of <see cref="BeamLinkOptions.Peers"/>; it keeps them connected afterwards, reconnecting with backoff.
    /// </summary>
    /// <exception cref="GaterConfigurationException">An option is invalid, or no secret is set and <see cref="BeamLinkOptions.AllowUnsecured"/> is off.</exception>
    /// <exception cref="GaterBackplaneException">
    /// EPMD cannot be reached, the name is taken, no cookie is found, or a peer cannot be connected (not registered,
    /// wrong cookie, refused): the message says which.
    /// </exception>
    public static async Task<BeamLink> StartAsync(BeamLinkOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check(options);
        var secrets = options.ResolveSecrets();
        if (secrets.Count == 0 && !options.AllowUnsecured)
        {
            throw new GaterConfigurationException($"No secret for BEAM messages: set {Frames.KeyRing.SecretVariable} (the secret_key_base the Elixir nodes sign with) or BeamLinkOptions.Secrets; BeamLinkOptions.AllowUnsecured accepts and sends unsigned messages instead.");
        }
        var signer = BeamSigner.FromSecrets(secrets, options.AllowUnsecured);
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("ExEsdbGater.Beam");
        ErlangNode node;
        try
        {
            node = await ErlangNode.StartAsync(new ErlangNodeOptions
            {
                NodeName = options.NodeName ?? "gater" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                LongNames = options.LongNames,
                Cookie = options.Cookie,
                EpmdPort = options.EpmdPort,
                ListenAddress = options.ListenAddress,
                NetTickTime = options.NetTickTime,
                ConnectTimeout = options.ConnectTimeout,
                HandshakeTimeout = options.ConnectTimeout,
                ReconnectMaxDelay = options.ReconnectMaxDelay,
            }, options.TimeProvider, logger, cancellationToken).ConfigureAwait(false);
        }
        catch (DistributionException e)
        {
            throw new GaterBackplaneException("beam: " + e.Message, e);
        }
        var link = new BeamLink(node, signer, options, logger);
        try
        {
            foreach (var peer in options.Peers)
            {
                await node.ConnectAsync(peer, cancellationToken).ConfigureAwait(false);
            }
            await link.WaitForGroupsAsync(options.Peers, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (DistributionException e)
        {
            await link.DisposeAsync().ConfigureAwait(false);
            throw new GaterBackplaneException("beam: " + e.Message, e);
        }
        catch
        {
            await link.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return link;
    }

    // A broadcast right after start must reach the peers' groups: wait until each peer's scope has told us its groups.
    // A node that runs no Phoenix.PubSub never does; it is logged and the link starts anyway.
    private async Task WaitForGroupsAsync(IReadOnlyList<string> peers, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        foreach (var peer in peers)
        {
            var full = ErlangNodeName.Parse(peer, _node.Options.LongNames).Full;
            try
            {
                await _scope.WaitForSyncAsync(full, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                LogNoScope(_logger, full, timeout);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "beam: {Peer} has not shared its Phoenix.PubSub groups within {Timeout}; is Phoenix.PubSub running there?")]
    private static partial void LogNoScope(ILogger logger, string peer, TimeSpan timeout);

    /// <summary>Connects to one more BEAM node and keeps it connected.</summary>
    /// <exception cref="GaterBackplaneException">The node cannot be connected now (it is retried in the background).</exception>
    public async Task ConnectAsync(string peer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            await _node.ConnectAsync(peer, cancellationToken).ConfigureAwait(false);
        }
        catch (DistributionException e)
        {
            throw new GaterBackplaneException("beam: " + e.Message, e);
        }
    }

    /// <summary>
    /// The members of an instance's PG2 group on BEAM nodes (pids as text), as this node knows them: what a broadcast
    /// reaches.
    /// </summary>
    public IReadOnlyList<string> GroupMembers(GaterInstance instance) => _scope.RemoteMembers(GroupOf(instance)).Select(p => p.ToString()).ToArray();

    /// <summary>Phoenix.PubSub's adapter name of a PubSub named <c>N</c>: <c>Module.concat(N, "Adapter")</c>, the PG2 group and worker name.</summary>
    internal static Atom GroupOf(GaterInstance instance) => Groups[(int)instance];

    // made once: the send path looks its group up per broadcast
    private static readonly Atom[] Groups = GaterInstances.All.OrderBy(i => (int)i).Select(i => Atom.Intern("Elixir." + i.WireName() + ".Adapter")).ToArray();

    private static void Check(BeamLinkOptions o)
    {
        if (o.Peers is null || o.Peers.Any(string.IsNullOrWhiteSpace))
        {
            throw new GaterConfigurationException("BeamLinkOptions.Peers must not be null or hold empty names.");
        }
        if (o.ListenAddress is null)
        {
            throw new GaterConfigurationException("BeamLinkOptions.ListenAddress must not be null.");
        }
        if (o.EpmdPort is < 1 or > 65535)
        {
            throw new GaterConfigurationException($"BeamLinkOptions.EpmdPort must be 1..65535 (was {o.EpmdPort}).");
        }
        if (o.NetTickTime < TimeSpan.FromSeconds(1))
        {
            throw new GaterConfigurationException($"BeamLinkOptions.NetTickTime must be at least 1 second (was {o.NetTickTime}).");
        }
        if (o.ConnectTimeout <= TimeSpan.Zero || o.ReconnectMaxDelay <= TimeSpan.Zero)
        {
            throw new GaterConfigurationException("BeamLinkOptions.ConnectTimeout and ReconnectMaxDelay must be positive.");
        }
    }

    private void OnPeerState(object? sender, PeerStateChangedEventArgs e)
    {
        var change = e.State switch
        {
            PeerState.Connected => new BackplaneStateChange(_everConnected.TryAdd(e.Peer, true) ? BackplaneState.Connected : BackplaneState.Reconnected, $"{e.Peer} connected"),
            PeerState.Disconnected => new BackplaneStateChange(BackplaneState.Disconnected, $"{e.Peer} disconnected: {e.Reason}"),
            _ => new BackplaneStateChange(BackplaneState.Disconnected, $"{e.Peer} could not be connected: {e.Reason}"),
        };
        LogPeer(_logger, change.State.ToString(), change.Detail);
        try
        {
            StateChanged?.Invoke(change);
        }
#pragma warning disable CA1031 // an observer's exception must not stop the node's event
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogObserverFailed(_logger, ex);
        }
    }

    /// <summary>Leaves every group, closes the node's connections and its EPMD registration.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _node.PeerStateChanged -= OnPeerState;
        foreach (var w in _workers.Values.ToArray())
        {
            await w.DisposeAsync().ConfigureAwait(false);
        }
        await _sender.DisposeAsync().ConfigureAwait(false);
        await _scope.DisposeAsync().ConfigureAwait(false);
        await _node.DisposeAsync().ConfigureAwait(false);
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Information, Message = "beam: {State} {Detail}")]
    private static partial void LogPeer(ILogger logger, string state, string? detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "beam: a StateChanged observer threw")]
    private static partial void LogObserverFailed(ILogger logger, Exception ex);
}

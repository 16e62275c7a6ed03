using System.Net.Sockets;
using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Distribution;

internal sealed partial class ErlangNode
{
    private readonly Lock _connLock = new();
    private readonly Dictionary<string, Connection> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<Connection>> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _kept = new(StringComparer.Ordinal);
    private readonly HashSet<string> _everConnected = new(StringComparer.Ordinal);
    private int _pendingHandshakes;

    /// <summary>Peers with an open connection now.</summary>
    public IReadOnlyList<string> ConnectedPeers
    {
        get
        {
            lock (_connLock)
            {
                return [.. _connections.Keys];
            }
        }
    }

    /// <summary>
    /// Connects to <paramref name="peer"/> (alive@host) unless connected, and keeps it connected from now on
    /// (reconnecting with backoff). Throws <see cref="DistributionException"/> if this first attempt fails; the
    /// keeper goes on trying.
    /// </summary>
    public async Task ConnectAsync(string peer, CancellationToken ct = default)
    {
        var name = ErlangNodeName.Parse(peer, Options.LongNames).Full;
        try
        {
            await GetOrConnectAsync(name, ct).ConfigureAwait(false);
        }
        finally
        {
            Keep(name);
        }
    }

    /// <summary>Starts a keeper for <paramref name="peer"/> unless one runs.</summary>
    private void Keep(string peer)
    {
        var name = ErlangNodeName.Parse(peer, Options.LongNames).Full;
        lock (_connLock)
        {
            if (!_kept.Add(name))
            {
                return;
            }
        }
        _ = Task.Run(() => KeepAsync(name));
    }

    // Connect, wait for the end, reconnect; backoff doubles per failure up to the max, resets after a success.
    private async Task KeepAsync(string peer)
    {
        var ct = _stopping.Token;
        var delay = Options.ReconnectInitialDelay;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                Connection c;
                try
                {
                    c = await GetOrConnectAsync(peer, ct).ConfigureAwait(false);
                }
                catch (DistributionException)
                {
                    await Task.Delay(delay, Time, ct).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.ReconnectMaxDelay.Ticks));
                    continue;
                }
                delay = Options.ReconnectInitialDelay;
                await c.Closed.WaitAsync(ct).ConfigureAwait(false);
                await Task.Delay(delay, Time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal async Task<Connection> GetOrConnectAsync(string peer, CancellationToken ct)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new DistributionException(DistributionError.Closed, $"node {Name} is closed");
        }
        if (peer == Name)
        {
            throw new DistributionException(DistributionError.BadNodeName, $"{Name} cannot connect to itself");
        }
        Task<Connection> task;
        lock (_connLock)
        {
            if (_connections.TryGetValue(peer, out var c) && c.IsOpen)
            {
                return c;
            }
            if (!_pending.TryGetValue(peer, out task!))
            {
                task = Task.Run(() => ConnectCoreAsync(peer));
                _pending[peer] = task;
            }
        }
        return await task.WaitAsync(ct).ConfigureAwait(false);
    }

    private async Task<Connection> ConnectCoreAsync(string peer)
    {
        try
        {
            return await ConnectOnceAsync(peer).ConfigureAwait(false);
        }
        catch (DistributionException e)
        {
            // A simultaneous connect the peer won ("nok") may have left us its connection.
            lock (_connLock)
            {
                if (_connections.TryGetValue(peer, out var c) && c.IsOpen)
                {
                    return c;
                }
            }
            Interlocked.Increment(ref Stats.connectFailures);
            Log.ConnectFailed(peer, e.Message);
            Raise(new PeerStateChangedEventArgs(peer, PeerState.ConnectFailed, e.Message, e.Error));
            throw;
        }
        finally
        {
            lock (_connLock)
            {
                _pending.Remove(peer);
            }
        }
    }

    private async Task<Connection> ConnectOnceAsync(string peer)
    {
        var name = ErlangNodeName.Parse(peer, Options.LongNames);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        cts.CancelAfter(Options.ConnectTimeout);
        var port = await EpmdClient.PortPleaseAsync(name.Host, Options.EpmdPort, name.Alive, Options.ConnectTimeout, cts.Token).ConfigureAwait(false);
        var client = new TcpClient { NoDelay = true };
        try
        {
            try
            {
                await client.ConnectAsync(name.Host, port, cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                throw new DistributionException(DistributionError.PeerUnreachable, $"{peer} unreachable at {name.Host}:{port}: {e.Message}", e);
            }
            var stream = client.GetStream();
            HandshakeResult result;
            try
            {
                result = await Handshake.ConnectAsync(stream, Name, Creation, _cookie, peer, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e)
            {
                throw new DistributionException(DistributionError.Timeout, $"handshake with {peer} did not finish within {Options.ConnectTimeout.TotalSeconds:0.#} s", e);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                throw new DistributionException(DistributionError.PeerUnreachable, $"{peer} dropped the connection during the handshake: {e.Message}", e);
            }
            return Register(client, stream, result, "outgoing");
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    // Adopts a handshaken connection (unless one exists: then the new one is closed and the old returned).
    private Connection Register(TcpClient client, Stream stream, HandshakeResult result, string direction)
    {
        var conn = new Connection(this, client, stream, result);
        Connection? old = null;
        bool reconnect;
        lock (_connLock)
        {
            if (_connections.TryGetValue(result.PeerName, out var existing) && existing.IsOpen)
            {
                if (!result.ReplacesExisting)
                {
                    client.Dispose();
                    return existing;
                }
                old = existing;
            }
            _connections[result.PeerName] = conn;
            reconnect = !_everConnected.Add(result.PeerName) && _kept.Contains(result.PeerName);
        }
        old?.Close("replaced by a new connection from the peer");
        if (reconnect)
        {
            Interlocked.Increment(ref Stats.reconnects);
        }
        Log.PeerConnected(result.PeerName, direction);
        // Raised before the loops start, so a peer's Connected always precedes its Disconnected.
        Raise(new PeerStateChangedEventArgs(result.PeerName, PeerState.Connected, null, null));
        conn.Start();
        return conn;
    }

    internal void OnConnectionClosed(Connection conn, string reason)
    {
        lock (_connLock)
        {
            if (_connections.TryGetValue(conn.PeerName, out var c) && ReferenceEquals(c, conn))
            {
                _connections.Remove(conn.PeerName);
            }
        }
        Log.PeerDisconnected(conn.PeerName, reason);
        _ = Task.Run(async () =>
        {
            foreach (var box in _byPid.Values.ToList())
            {
                await box.PeerDownAsync(conn.PeerName, CancellationToken.None).ConfigureAwait(false);
            }
        });
        Raise(new PeerStateChangedEventArgs(conn.PeerName, PeerState.Disconnected, reason, null));
    }

    private async Task AcceptLoopAsync()
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (ct.IsCancellationRequested)
                {
                    return;
                }
                Log.AcceptFailed(e);
                continue;
            }
            if (Interlocked.Increment(ref _pendingHandshakes) > Options.MaxPendingHandshakes)
            {
                Interlocked.Decrement(ref _pendingHandshakes);
                Interlocked.Increment(ref Stats.handshakeFailures);
                Log.IncomingHandshakeFailed(client.Client.RemoteEndPoint?.ToString() ?? "?", "unknown", $"more than {Options.MaxPendingHandshakes} handshakes in progress");
                client.Dispose();
                continue;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await AcceptOneAsync(client).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _pendingHandshakes);
                }
            });
        }
    }

    // Bounded in time (HandshakeTimeout) and size (Handshake.MaxMessageBytes); never throws.
    private async Task AcceptOneAsync(TcpClient client)
    {
        var remote = client.Client.RemoteEndPoint?.ToString() ?? "?";
        string? peer = null;
        client.NoDelay = true;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        cts.CancelAfter(Options.HandshakeTimeout);
        try
        {
            var stream = client.GetStream();
            var result = await Handshake.AcceptAsync(stream, Name, Creation, _cookie, p =>
            {
                peer = p;
                return Decide(p);
            }, cts.Token).ConfigureAwait(false);
            Register(client, stream, result, "incoming");
        }
#pragma warning disable CA1031 // a failed incoming handshake only drops that socket
        catch (Exception e)
#pragma warning restore CA1031
        {
            // counted before the socket closes: whoever sees the close then sees the count
            Interlocked.Increment(ref Stats.handshakeFailures);
            client.Dispose();
            var reason = e switch
            {
                OperationCanceledException => $"handshake did not finish within {Options.HandshakeTimeout.TotalSeconds:0.#} s",
                DistributionException d => d.Message,
                _ => e.Message,
            };
            Log.IncomingHandshakeFailed(remote, peer ?? "unknown", reason);
            if (peer is not null && !_stopping.IsCancellationRequested)
            {
                Raise(new PeerStateChangedEventArgs(peer, PeerState.ConnectFailed, reason, (e as DistributionException)?.Error ?? DistributionError.ProtocolViolation));
            }
        }
    }

    // The status for an incoming send_name (dist_util's rules for an existing or simultaneous connection).
    private string Decide(string peer)
    {
        lock (_connLock)
        {
            if (_connections.TryGetValue(peer, out var c) && c.IsOpen)
            {
                return "alive";
            }
            if (_pending.ContainsKey(peer))
            {
                return string.CompareOrdinal(Name, peer) > 0 ? "nok" : "ok_simultaneous";
            }
            return "ok";
        }
    }

    private void Raise(PeerStateChangedEventArgs e)
    {
        try
        {
            PeerStateChanged?.Invoke(this, e);
        }
#pragma warning disable CA1031 // a subscriber's bug must not break the node
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(ex);
        }
    }
}

using System.Net.Sockets;
using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Distribution;

internal sealed partial class Connection
{
    private static readonly byte[] Tick = new byte[4];
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>Sends one pass-through frame. Throws <see cref="DistributionException"/> (Closed) if the connection is gone.</summary>
    public async Task SendAsync(Term control, Term? payload, CancellationToken ct)
    {
        var frame = DistFrame.Encode(control, payload);
        await WriteAsync(frame, ct).ConfigureAwait(false);
        Interlocked.Increment(ref _node.Stats.framesOut);
    }

    private async Task WriteTickAsync()
    {
        await WriteAsync(Tick, CancellationToken.None).ConfigureAwait(false);
        Interlocked.Increment(ref _node.Stats.ticksOut);
    }

    private async Task WriteAsync(byte[] bytes, CancellationToken ct)
    {
        if (!IsOpen)
        {
            throw new DistributionException(DistributionError.Closed, $"connection to {PeerName} is closed");
        }
        CancellationToken token;
        try
        {
            token = _cts.Token;
        }
        catch (ObjectDisposedException e)
        {
            throw new DistributionException(DistributionError.Closed, $"connection to {PeerName} is closed", e);
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, token);
        await _writeLock.WaitAsync(linked.Token).ConfigureAwait(false);
        Exception? failure = null;
        try
        {
            await _stream.WriteAsync(bytes, linked.Token).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastSent, _node.Time.GetTimestamp());
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            failure = e;
        }
        finally
        {
            _writeLock.Release();
        }
        if (failure is not null)
        {
            // Closed outside the write lock: closing raises PeerStateChanged.
            Close($"write to {PeerName} failed: {failure.Message}");
            throw new DistributionException(DistributionError.Closed, $"connection to {PeerName} is closed: {failure.Message}", failure);
        }
    }
}

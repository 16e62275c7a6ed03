using System.Net.Sockets;
using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Distribution;

internal sealed partial class Connection
{
    private static readonly byte[] Tick = new byte[4];
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    // Timestamp of the write in progress (0: none), so the tick loop can tell a stalled peer from a busy one.
    private long _writeStarted;

    /// <summary>
    /// Sends one pass-through frame; writes are serialized. <paramref name="ct"/> cancels only the wait for our turn,
    /// never a write under way (half a frame would corrupt the stream). Throws <see cref="DistributionException"/>
    /// (Closed) if the connection is gone.
    /// </summary>
    public async Task SendAsync(Term control, Term? payload, CancellationToken ct)
    {
        var frame = DistFrame.Encode(control, payload);
        await WriteAsync(frame, ct, wait: true).ConfigureAwait(false);
        Interlocked.Increment(ref _node.Stats.framesOut);
    }

    // A tick is skipped when a write is under way: that write shows the peer we are alive.
    private async Task WriteTickAsync()
    {
        if (await WriteAsync(Tick, CancellationToken.None, wait: false).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _node.Stats.ticksOut);
        }
    }

    private async Task<bool> WriteAsync(byte[] bytes, CancellationToken ct, bool wait)
    {
        if (!IsOpen)
        {
            throw new DistributionException(DistributionError.Closed, $"connection to {PeerName} is closed");
        }
        var token = _cts.Token;
        if (wait)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, token);
            try
            {
                await _writeLock.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new DistributionException(DistributionError.Closed, $"connection to {PeerName} is closed");
            }
        }
        else if (!_writeLock.Wait(0))
        {
            return false;
        }
        Exception? failure = null;
        try
        {
            Interlocked.Exchange(ref _writeStarted, _node.Time.GetTimestamp());
            await _stream.WriteAsync(bytes, token).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastSent, _node.Time.GetTimestamp());
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            failure = e;
        }
        finally
        {
            Interlocked.Exchange(ref _writeStarted, 0);
            _writeLock.Release();
        }
        if (failure is not null)
        {
            // Closed outside the write lock: closing raises PeerStateChanged.
            Close($"write to {PeerName} failed: {failure.Message}");
            throw new DistributionException(DistributionError.Closed, $"connection to {PeerName} is closed: {failure.Message}", failure);
        }
        return true;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace ExEsdbGater.Beam.Distribution;

internal sealed partial class Connection
{
    // Never lets an exception out: every end of the loop is a Close with a reason.
    private async Task ReadLoopAsync()
    {
        var head = new byte[4];
        var ct = _cts.Token;
        var input = new ReadBuffer(_stream);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await input.ReadExactlyAsync(head, ct).ConfigureAwait(false);
                Interlocked.Exchange(ref _lastReceived, _node.Time.GetTimestamp());
                var len = BinaryPrimitives.ReadUInt32BigEndian(head);
                if (len == 0)
                {
                    Interlocked.Increment(ref _node.Stats.ticksIn);
                    continue;
                }
                if (len > (uint)_node.Options.MaxFrameBytes)
                {
                    Interlocked.Increment(ref _node.Stats.malformed);
                    _node.Log.OversizeFrame(PeerName, len, _node.Options.MaxFrameBytes);
                    Close($"{PeerName} sent a frame of {len} bytes (limit {_node.Options.MaxFrameBytes})");
                    return;
                }
                // decoding copies what it keeps (binaries, opaque terms): the frame's bytes can go back to the pool
                var frame = ArrayPool<byte>.Shared.Rent((int)len);
                string? problem;
                try
                {
                    await input.ReadExactlyAsync(frame.AsMemory(0, (int)len), ct).ConfigureAwait(false);
                    Interlocked.Exchange(ref _lastReceived, _node.Time.GetTimestamp());
                    Interlocked.Increment(ref _node.Stats.framesIn);
                    Volatile.Write(ref _delivering, 1);
                    problem = await _node.HandleFrameAsync(this, frame.AsMemory(0, (int)len), ct).ConfigureAwait(false);
                }
                finally
                {
                    Volatile.Write(ref _delivering, 0);
                    Interlocked.Exchange(ref _lastReceived, _node.Time.GetTimestamp());
                    ArrayPool<byte>.Shared.Return(frame);
                }
                if (problem is not null)
                {
                    Interlocked.Increment(ref _node.Stats.malformed);
                    var n = ++_malformed;
                    _node.Log.MalformedFrame(PeerName, problem, n, _node.Options.MaxMalformedFrames);
                    if (n >= _node.Options.MaxMalformedFrames)
                    {
                        Interlocked.Increment(ref _node.Stats.malformedDisconnects);
                        Close($"{PeerName} sent {n} malformed frames (limit {_node.Options.MaxMalformedFrames}); last: {problem}");
                        return;
                    }
                }
            }
        }
        catch (EndOfStreamException)
        {
            Close($"{PeerName} closed the connection");
        }
        catch (OperationCanceledException)
        {
            Close("closed");
        }
        catch (ObjectDisposedException)
        {
            Close("closed");
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            Close($"connection to {PeerName} lost: {e.Message}");
        }
        catch (DistributionException e)
        {
            // A reply (UNLINK_ID_ACK, MONITOR_P_EXIT, is_auth) could not be written: the connection is gone.
            Close(e.Message);
        }
#pragma warning disable CA1031 // the read loop must never throw; the reason is kept
        catch (Exception e)
#pragma warning restore CA1031
        {
            _node.Log.ReadLoopFailed(PeerName, e);
            Close($"internal error reading from {PeerName}: {e.Message}");
        }
    }

    /// <summary>
    /// Reads the socket in large chunks: a peer that streams small frames costs one receive call per chunk rather than
    /// two per frame (head, body). Bytes are copied out exactly as they came; only the read loop uses it.
    /// </summary>
    private sealed class ReadBuffer(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken ct)
        {
            var available = _end - _start;
            if (available >= destination.Length)
            {
                _buffer.AsSpan(_start, destination.Length).CopyTo(destination.Span);
                _start += destination.Length;
                return ValueTask.CompletedTask;
            }
            return FillAsync(destination, ct);
        }

        private async ValueTask FillAsync(Memory<byte> destination, CancellationToken ct)
        {
            while (!destination.IsEmpty)
            {
                if (_start == _end)
                {
                    if (destination.Length >= _buffer.Length)
                    {
                        // a large frame goes straight into its own array
                        await stream.ReadExactlyAsync(destination, ct).ConfigureAwait(false);
                        return;
                    }
                    var n = await stream.ReadAsync(_buffer, ct).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new EndOfStreamException();
                    }
                    _start = 0;
                    _end = n;
                }
                var take = Math.Min(destination.Length, _end - _start);
                _buffer.AsSpan(_start, take).CopyTo(destination.Span);
                _start += take;
                destination = destination[take..];
            }
        }
    }
}

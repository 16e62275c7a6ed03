using System.Text;
using System.Runtime.InteropServices;

namespace Gater.Cli;

/// <summary>
/// Standard output, one whole line per write. The first failed write stops the command: a closed pipe (the reader,
/// e.g. <c>head</c>, is done) ends it with exit 0; any other failure (e.g. a full disk) with one line and exit 1.
/// </summary>
internal static partial class Stdout
{
    private const int EPIPE = 32; // Linux and macOS

    private static readonly Lock Gate = new();

    // Console's own stream pretends writes into a closed pipe succeed, so on Unix write(2) to fd 1 directly. Not a
    // FileStream: on a regular file it writes at a position of its own, so in '{ echo a; gater keygen; echo b; } > f'
    // the shell's next write would overwrite gater's output; write(2) shares the descriptor's offset as a shell does.
    private static readonly Stream Stream = OperatingSystem.IsWindows() ? Console.OpenStandardOutput() : new Fd1();

    private static CancellationTokenSource? s_stop;

    /// <summary>The first failed write, or null.</summary>
    public static IOException? Failure { get; private set; }

    /// <summary>True when the reader closed the pipe: a normal end, not an error.</summary>
    public static bool ReaderGone => Failure is { HResult: EPIPE };

    public static bool Failed => Failure is not null;

    /// <summary>Cancelled when a write fails, so that long-running commands stop.</summary>
    public static void StopOnFailure(CancellationTokenSource stop) => s_stop = stop;

    public static bool WriteText(string text) => Write(Encoding.UTF8.GetBytes(text));

    public static bool WriteLine(string line)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(line) + 1];
        Encoding.UTF8.GetBytes(line, bytes);
        bytes[^1] = (byte)'\n';
        return Write(bytes);
    }

    /// <summary>Writes the bytes (with their newline, if any) in one write; false once output has failed.</summary>
    public static bool Write(ReadOnlySpan<byte> bytes)
    {
        lock (Gate)
        {
            if (Failure is not null)
            {
                return false;
            }
            try
            {
                Stream.Write(bytes);
                return true;
            }
            catch (IOException ex)
            {
                Failure = ex;
            }
        }
        s_stop?.Cancel();
        return false;
    }

    /// <summary>File descriptor 1 through write(2): whole buffers, EINTR retried, errors as IOException with errno.</summary>
    private sealed partial class Fd1 : Stream
    {
        private const int EINTR = 4;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                var n = SysWrite(1, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }
                    throw new IOException(Marshal.GetPInvokeErrorMessage(errno), errno);
                }
                buffer = buffer[(int)n..];
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
        private static partial nint SysWrite(int fd, ref byte buffer, nuint count);
    }
}

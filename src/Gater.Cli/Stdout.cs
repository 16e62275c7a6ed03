using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Gater.Cli;

/// <summary>
/// Standard output, one whole line per write. The first failed write stops the command: a closed pipe (the reader,
/// e.g. <c>head</c>, is done) ends it with exit 0; any other failure (e.g. a full disk) with one line and exit 1.
/// </summary>
internal static class Stdout
{
    private const int EPIPE = 32; // Linux and macOS

    private static readonly Lock Gate = new();

    // Console's own stream pretends writes into a closed pipe succeed, so on Unix write to fd 1 directly
    private static readonly Stream Stream = OperatingSystem.IsWindows()
        ? Console.OpenStandardOutput()
        : new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);

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
}

namespace Gater.Cli;

/// <summary>One line read by <see cref="Stdin.LineReader"/>: its bytes (valid until the next read), or too long.</summary>
internal readonly record struct InputLine(long Number, ReadOnlyMemory<byte> Bytes, bool TooLong);

/// <summary>Standard input in bounded memory, cancellable (Ctrl+C) even while a read waits.</summary>
internal static class Stdin
{
    /// <summary>Tells a user at a terminal that the command waits for input, and how to end it.</summary>
    public static void PromptIfTerminal(string what)
    {
        if (!Console.IsInputRedirected)
        {
            Console.Error.WriteLine($"reading {what} from stdin; Ctrl-D to end");
        }
    }

    /// <summary>Reads lines of at most <paramref name="limit"/> bytes (after a CR before the LF is dropped); a longer
    /// line is read to its end but not kept. Memory stays at one buffer and one line of the limit, whatever the input.</summary>
    public sealed class LineReader(Stream input, int limit)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly byte[] _line = new byte[limit + 1];
        private int _start;
        private int _end;
        private bool _eof;
        private long _number;

        /// <summary>The next line, or null at the end of input.</summary>
        public async Task<InputLine?> NextAsync(CancellationToken ct)
        {
            var length = 0;
            var tooLong = false;
            var any = false;
            while (true)
            {
                if (_start == _end)
                {
                    if (_eof)
                    {
                        break;
                    }
                    _start = 0;
                    // WaitAsync: a read blocked on a terminal or pipe does not see the token itself
                    _end = await input.ReadAsync(_buffer, ct).AsTask().WaitAsync(ct).ConfigureAwait(false);
                    if (_end == 0)
                    {
                        _eof = true;
                        break;
                    }
                }
                any = true;
                var span = _buffer.AsSpan(_start, _end - _start);
                var nl = span.IndexOf((byte)'\n');
                var chunk = nl < 0 ? span : span[..nl];
                if (!tooLong)
                {
                    if (length + chunk.Length > _line.Length)
                    {
                        tooLong = true;
                    }
                    else
                    {
                        chunk.CopyTo(_line.AsSpan(length));
                        length += chunk.Length;
                    }
                }
                if (nl >= 0)
                {
                    _start += nl + 1;
                    return Line(length, tooLong);
                }
                _start = _end;
            }
            return any ? Line(length, tooLong) : null;
        }

        private InputLine Line(int length, bool tooLong)
        {
            _number++;
            if (!tooLong && length > 0 && _line[length - 1] == '\r')
            {
                length--;
            }
            return new InputLine(_number, _line.AsMemory(0, length), tooLong || length > limit);
        }
    }

    /// <summary>All of standard input if it has at most <paramref name="limit"/> bytes, else null (having read limit + 1).</summary>
    public static async Task<byte[]?> ReadAllAsync(int limit, CancellationToken ct)
    {
        using var input = Console.OpenStandardInput();
        var buffer = new byte[limit + 1];
        var n = 0;
        while (n < buffer.Length)
        {
            var read = await input.ReadAsync(buffer.AsMemory(n), ct).AsTask().WaitAsync(ct).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer[..n];
            }
            n += read;
        }
        return null;
    }
}

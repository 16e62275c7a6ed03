using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using ExEsdbGater.Beam.Mapping;
using ExEsdbGater.Beam.Tests.Distribution;
using ExEsdbGater.Beam.Tests.Mapping;

namespace ExEsdbGater.Beam.Tests.Peer;

/// <summary>
/// A real Elixir node running gater_peer.exs: the original's 36 structs (generated here from the catalog), the :pg
/// scope Phoenix.PubSub and a PG2-shaped worker per instance. Commands go over stdin, one line each, and each gets one
/// reply line; lines starting with <c>event </c> are the workers' reports, kept in <see cref="Events"/>. Dispose stops
/// the node (EOF on stdin, then a kill); <see cref="Kill"/> and <see cref="RestartAsync"/> serve reconnect tests.
/// </summary>
internal sealed class ElixirPeer : IAsyncDisposable
{
    /// <summary>How long a command, the start or an awaited event may take before the test fails.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The secret of the vectors, so the peer's signatures equal spec/beam-vectors.json's.</summary>
    public static string DefaultSecret => BeamVectors.Secret;


    private readonly string _dir;
    private readonly SemaphoreSlim _commandLock = new(1, 1);
    private readonly List<string> _events = [];
    private readonly StringBuilder _stderr = new();
    private Process? _process;
    private Channel<string>? _replies;

    private ElixirPeer(string name, string cookie, string? secret)
    {
        Name = name;
        Cookie = cookie;
        Secret = secret;
        _dir = Directory.CreateTempSubdirectory("gater-peer-").FullName;
        WriteFiles(_dir);
    }

    /// <summary>The short name given (<c>--sname</c>).</summary>
    public string Name { get; }

    public string Cookie { get; }

    /// <summary>SECRET_KEY_BASE of the peer; null starts it without one.</summary>
    public string? Secret { get; }

    /// <summary>The full node name the peer reported, e.g. <c>a_1f2e@vm</c>.</summary>
    public string Node { get; private set; } = "";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Everything the node wrote to stderr (for failure messages).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The event lines so far (without the <c>event </c> prefix), in arrival order, across restarts.</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToArray();
            }
        }
    }

    /// <summary>A short name no other test uses: <paramref name="prefix"/>_ and 8 hex digits.</summary>
    public static string UniqueName(string prefix) => $"{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    /// <summary>Starts a peer and waits for its <c>ready</c> line.</summary>
    public static async Task<ElixirPeer> StartAsync(string name, string cookie, string? secret)
    {
        var peer = new ElixirPeer(name, cookie, secret);
        try
        {
            await peer.LaunchAsync();
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends one command line and returns its reply line.</summary>
    public async Task<string> CommandAsync(string command)
    {
        await _commandLock.WaitAsync();
        try
        {
            var process = _process ?? throw new InvalidOperationException($"peer {Name} is not running");
            await process.StandardInput.WriteLineAsync(command);
            await process.StandardInput.FlushAsync();
            return await ReadReplyAsync(command);
        }
        finally
        {
            _commandLock.Release();
        }
    }

    /// <summary>The number of events so far: pass it to <see cref="WaitForEventAsync"/> to see only later ones.</summary>
    public int EventCount
    {
        get
        {
            lock (_events)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>The first event at or after index <paramref name="from"/> that matches; fails after <see cref="Patience"/>.</summary>
    public async Task<string> WaitForEventAsync(Func<string, bool> match, int from = 0, string what = "an event")
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            lock (_events)
            {
                for (var i = from; i < _events.Count; i++)
                {
                    if (match(_events[i]))
                    {
                        return _events[i];
                    }
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"peer {Name}: no {what} within {Patience.TotalSeconds}s; events: {string.Join(" | ", Events.Skip(from).Take(20))}; stderr: {Stderr}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Repeats a command until its reply matches (e.g. until :pg has synced a group); fails after <see cref="Patience"/>.</summary>
    public async Task<string> CommandUntilAsync(string command, Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var reply = await CommandAsync(command);
            if (match(reply))
            {
                return reply;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"peer {Name}: '{command}' still answers '{reply}' after {Patience.TotalSeconds}s");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Kills the node at once (no goodbye to its peers), as a crash or a pulled cable would.</summary>
    public void Kill()
    {
        if (_process is { } p)
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
            p.WaitForExit();
            p.Dispose();
            _process = null;
        }
    }

    /// <summary>Kills the node if it runs and starts it again under the same name, cookie and secret.</summary>
    public async Task RestartAsync()
    {
        Kill();
        await LaunchAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } p)
        {
            try
            {
                p.StandardInput.Close();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await p.WaitForExitAsync(cts.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
            {
                // it did not stop by itself: killed below
            }
            Kill();
        }
        _commandLock.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp directory is harmless
        }
    }

    private async Task LaunchAsync()
    {
        // erl starts epmd itself; starting it first keeps two nodes starting at once from racing to do so
        await Epmd.EnsureRunningAsync();
        var info = new ProcessStartInfo("elixir")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in new[] { "--sname", Name, "--cookie", Cookie, "--erl", "-kernel net_ticktime 10", ScriptPath(),
            Path.Combine(_dir, "structs.exs"), Path.Combine(_dir, "vectors.txt") })
        {
            info.ArgumentList.Add(a);
        }
        if (Secret is null)
        {
            info.Environment.Remove("SECRET_KEY_BASE");
        }
        else
        {
            info.Environment["SECRET_KEY_BASE"] = Secret;
        }
        var replies = Channel.CreateUnbounded<string>();
        _replies = replies;
        var process = Process.Start(info) ?? throw new InvalidOperationException("elixir did not start");
        _process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        _ = Task.Run(() => ReadStdoutAsync(process, replies.Writer));
        var ready = await ReadReplyAsync("(start)");
        if (!ready.StartsWith("ready ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"peer {Name} answered '{ready}' instead of ready; stderr: {Stderr}");
        }
        Node = ready.Split(' ')[1];
    }

    private async Task ReadStdoutAsync(Process process, ChannelWriter<string> replies)
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("event ", StringComparison.Ordinal))
                {
                    lock (_events)
                    {
                        _events.Add(line["event ".Length..]);
                    }
                }
                else
                {
                    replies.TryWrite(line);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // the process is gone; the channel's completion tells the waiting command
        }
        replies.TryComplete();
    }

    private async Task<string> ReadReplyAsync(string command)
    {
        var replies = _replies ?? throw new InvalidOperationException($"peer {Name} is not running");
        using var cts = new CancellationTokenSource(Patience);
        try
        {
            return await replies.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"peer {Name}: no reply to '{command}' within {Patience.TotalSeconds}s; stderr: {Stderr}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"peer {Name} exited before answering '{command}'; stderr: {Stderr}");
        }
    }

    /// <summary>
    /// The original's structs, from the catalog: one <c>defstruct</c> per type with its fields (without the
    /// <c>node</c> the .NET catalog added to seven), and every vector's expression with its instance.
    /// </summary>
    internal static void WriteFiles(string dir)
    {
        var structs = new StringBuilder();
        foreach (var shape in OriginalShape.Every)
        {
            var fields = shape.Fields.Where(f => f.InOriginal).Select(f => ":" + f.Name);
            structs.Append(CultureInfo.InvariantCulture, $"defmodule {shape.StructName["Elixir.".Length..]} do\n  defstruct [{string.Join(", ", fields)}]\nend\n\n");
        }
        File.WriteAllText(Path.Combine(dir, "structs.exs"), structs.ToString());
        File.WriteAllLines(Path.Combine(dir, "vectors.txt"), BeamVectors.All.Select(v => v.Instance + "\t" + v.Inspect));
    }

    /// <summary>gater_peer.exs in the source tree, found from the build output upwards (CI maps source paths away).</summary>
    internal static string ScriptPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "Peer", "gater_peer.exs"), Path.Combine(dir.FullName, "tests", "ExEsdbGater.Beam.Tests", "Peer", "gater_peer.exs") })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new FileNotFoundException("tests/ExEsdbGater.Beam.Tests/Peer/gater_peer.exs not found above " + AppContext.BaseDirectory);
    }
}

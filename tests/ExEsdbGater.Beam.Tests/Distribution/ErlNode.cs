using System.Diagnostics;
using System.Threading.Channels;
using ExEsdbGater.Beam.Distribution;

namespace ExEsdbGater.Beam.Tests.Distribution;

/// <summary>
/// A real <c>erl</c> node with a control channel: each <see cref="EvalAsync"/> sends one Erlang expression on stdin;
/// the node evaluates it in its control process (registered as <c>ctl</c>, bindings kept between calls) and answers
/// one line on stdout, <c>@@{ok,Value}</c> or <c>@@{error,Why}</c>, printed with ~w.
/// </summary>
internal sealed class ErlNode : IAsyncDisposable
{
    private const string Loop =
        "register(ctl, self()), io:format(\"@@ready~n\"), "
        + "(fun L(B) -> case io:get_line(\"\") of eof -> halt(); Line -> "
        + "{R, B2} = try {ok, T, _} = erl_scan:string(Line), {ok, Es} = erl_parse:parse_exprs(T), "
        + "{value, V, NB} = erl_eval:exprs(Es, B), {{ok, V}, NB} catch C:E -> {{error, {C, E}}, B} end, "
        + "io:format(\"@@~w~n\", [R]), L(B2) end end)(erl_eval:new_bindings()).";

    private static int _counter;
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly SemaphoreSlim _gate = new(1, 1);

    private ErlNode(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>The full node name, sname@host.</summary>
    public string Name { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>A name unique to this test run.</summary>
    public static string UniqueName(string prefix) => $"{prefix}{Environment.ProcessId}n{Interlocked.Increment(ref _counter)}";

    /// <summary>Starts <c>erl -sname</c> (or <c>-name</c> with <paramref name="longHost"/>, e.g. 127.0.0.1).</summary>
    public static async Task<ErlNode> StartAsync(string sname, string cookie, int netTickTime = 4, string? longHost = null)
    {
        await Epmd.EnsureRunningAsync();
        var psi = new ProcessStartInfo("erl")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { longHost is null ? "-sname" : "-name", longHost is null ? sname : sname + "@" + longHost, "-setcookie", cookie, "-noshell", "-kernel", "net_ticktime", netTickTime.ToString(System.Globalization.CultureInfo.InvariantCulture), "-eval", Loop })
        {
            psi.ArgumentList.Add(a);
        }
        var p = Process.Start(psi) ?? throw new InvalidOperationException("erl did not start");
        var node = new ErlNode(p, sname + "@" + (longHost ?? ErlangNodeName.DefaultHost(false)));
        _ = Task.Run(node.PumpAsync);
        _ = Task.Run(async () =>
        {
            while (await p.StandardError.ReadLineAsync() is not null)
            {
            }
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (await node._lines.Reader.ReadAsync(cts.Token) != "@@ready")
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            node.Kill();
            throw new InvalidOperationException($"erl node {sname} did not start", e);
        }
        return node;
    }

    private async Task PumpAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            await _lines.Writer.WriteAsync(line);
        }
        _lines.Writer.TryComplete();
    }

    /// <summary>Evaluates <paramref name="expr"/> (without the final dot) and returns its value as ~w text.</summary>
    public async Task<string> EvalAsync(string expr, int timeoutSeconds = 20)
    {
        await _gate.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(expr.TrimEnd().TrimEnd('.') + ".");
            await _process.StandardInput.FlushAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cts.Token);
                if (line.StartsWith("@@{ok,", StringComparison.Ordinal))
                {
                    return line[6..^1];
                }
                if (line.StartsWith("@@{error,", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"erl {Name} failed to evaluate {expr}: {line[2..]}");
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Kills the node abruptly (as a crash would).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.StandardInput.Close();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
            {
            }
            Kill();
        }
        _process.Dispose();
        _gate.Dispose();
    }
}

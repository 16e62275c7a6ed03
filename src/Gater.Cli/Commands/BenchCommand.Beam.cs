using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Threading.Channels;
using ExEsdbGater.Beam;
using ExEsdbGater.Beam.Mapping;

namespace Gater.Cli.Commands;

// --beam: one Elixir publisher, an Elixir receiver and our bus in the same PG2 group, measured in the same run
// (bench/beam_pubsub.exs is the Elixir half).
internal sealed partial class BenchCommand
{
    private static readonly TimeSpan BeamPatience = TimeSpan.FromSeconds(60);

    /// <summary>What one --beam run measured.</summary>
    internal sealed record BeamPubSubResult(int Messages, int Warmup, double OursPerSecond, double BeamPerSecond, double PublisherPerSecond,
        long Rejected, long OursLost, long BeamLost, string Verification, double BytesPerMessage, double CpuMicrosecondsPerMessage);

    /// <summary>Runs the two Elixir nodes and our bus; null after one line on stderr when elixir is missing or a node fails.</summary>
    private static async Task<BeamPubSubResult?> BeamPubSubAsync(TimeSpan budget, CancellationToken ct)
    {
        if (FindElixir() is not { } elixir)
        {
            await Console.Error.WriteLineAsync("gater bench: elixir is not on PATH; skipping the BEAM pub/sub measurement (install Elixir, e.g. apt-get install elixir erlang-crypto)");
            return null;
        }
        // a few seconds at the default budget; at least enough to see a rate
        var n = (int)Math.Clamp(100_000 * budget.TotalSeconds, 2_000, 2_000_000);
        // long enough for tiered JIT to finish with the receive path before the count starts
        var warmup = Math.Clamp(n / 5, 1_000, 20_000);
        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var cookie = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var script = Path.Combine(Path.GetTempPath(), $"gater-beam-pubsub-{Environment.ProcessId}-{tag}.exs");
        // the original's struct and fields, from the catalog (data, not a copy of the original's code)
        var shape = OriginalShape.Every.Single(s => s.Type.ClrType == typeof(NodeHealth));
        var fields = string.Join(',', shape.Fields.Where(f => f.InOriginal).Select(f => f.Name));
        BeamNode? receiver = null, publisher = null;
        try
        {
            await using (var resource = typeof(BenchCommand).Assembly.GetManifestResourceStream("beam_pubsub.exs")!)
            await using (var file = File.Create(script))
            {
                await resource.CopyToAsync(file, ct);
            }
            StartEpmd();
            receiver = BeamNode.Start(elixir, "gbr_" + tag, cookie, null, null, [script, "receiver", Num(warmup), Num(n)]);
            var receiverNode = (await receiver.ExpectAsync("ready ", ct))["ready ".Length..];
            publisher = BeamNode.Start(elixir, "gbp_" + tag, cookie, secret, "+zdbbl 1048576",
                [script, "publisher", Num(warmup), Num(n), receiverNode, shape.StructName, shape.TagAtom.Name, fields]);
            var publisherNode = (await publisher.ExpectAsync("ready ", ct))["ready ".Length..];

            await using var link = await BeamLink.StartAsync(new BeamLinkOptions
            {
                Peers = [receiverNode, publisherNode],
                Cookie = cookie,
                NodeName = "gbn_" + tag,
                Secrets = [secret],
                ListenAddress = IPAddress.Loopback,
            }, ct);
            await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = "gbn_" + tag + "@bench", Keys = KeyRing.Of(GaterKey.FromSecret(Secret)), Links = [link] });
            await using var stream = await bus.OpenStreamAsync(GaterInstance.Health, "*", new SubscriptionOptions { Capacity = 65_536 }, ct);
            var counter = new DeliveryCounter(warmup, n);
            var consume = Task.Run(() => counter.RunAsync(stream.Reader, ct), ct);

            await publisher.ExpectAsync("members ", ct);
            await publisher.ExpectAsync("warm-sent", ct);
            await receiver.ExpectAsync("warm", ct);
            await counter.Warm.Task.WaitAsync(BeamPatience, ct);
            await publisher.SendAsync("go");
            var sent = await publisher.ExpectAsync("sent ", ct);
            var done = await receiver.ExpectAsync("done ", ct);
            try
            {
                await counter.Done.Task.WaitAsync(BeamPatience, ct);
            }
            catch (TimeoutException)
            {
                // reported as lost below
            }
            var beam = Fields(done);
            var beamSeconds = (beam["last_us"] - beam["first_us"]) / 1e6;
            var ours = counter.Seconds;
            var pub = Fields(sent);
            var stats = link.Statistics;
            var rejected = stats.Rejected + bus.Statistics.Rejected;
            return new BeamPubSubResult(n, warmup,
                ours > 0 ? (n - 1) / ours : 0,
                beamSeconds > 0 ? (n - 1) / beamSeconds : 0,
                n / (pub["elapsed_us"] / 1e6),
                rejected, n - counter.Measured, n - (long)beam["received"], counter.Verification, counter.BytesPerMessage, counter.CpuMicrosecondsPerMessage);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or GaterBackplaneException or IOException)
        {
            var why = e.Message.Split('\n')[0];
            var stderr = (receiver?.Stderr + " " + publisher?.Stderr).Trim();
            await Console.Error.WriteLineAsync($"gater bench: the BEAM pub/sub measurement failed: {why}{(stderr.Length > 0 ? " (elixir: " + Cli.Abbreviate(stderr.ReplaceLineEndings(" ")) + ")" : "")}");
            return null;
        }
        finally
        {
            if (publisher is not null)
            {
                await publisher.DisposeAsync();
            }
            if (receiver is not null)
            {
                await receiver.DisposeAsync();
            }
            File.Delete(script);
        }

        static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);
    }

    // "word a=1 b=2" → {a: 1, b: 2}
    private static Dictionary<string, double> Fields(string line)
        => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);

    private static string? FindElixir()
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "elixir")).FirstOrDefault(File.Exists);

    // two nodes starting at once would race to start epmd themselves
    private static void StartEpmd()
    {
        try
        {
            using var epmd = Process.Start(new ProcessStartInfo("epmd", "-daemon") { UseShellExecute = false, RedirectStandardError = true });
            epmd?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no epmd on PATH: erl starts its own
        }
    }

    /// <summary>Counts verified, typed deliveries; times the first and last measured one.</summary>
    private sealed class DeliveryCounter(int warmup, int n)
    {
        private long _first, _last, _bytesFirst, _bytesLast;
        private TimeSpan _cpuFirst, _cpuLast;

        public TaskCompletionSource Warm { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Measured { get; private set; }

        public string Verification { get; private set; } = "";

        /// <summary>Bytes this process allocated per measured message (all threads: the whole receive path).</summary>
        public double BytesPerMessage => Measured > 1 ? (double)(_bytesLast - _bytesFirst) / (Measured - 1) : 0;

        /// <summary>CPU time of this process per measured message (every thread), in microseconds.</summary>
        public double CpuMicrosecondsPerMessage => Measured > 1 ? (_cpuLast - _cpuFirst).TotalMicroseconds / (Measured - 1) : 0;

        public double Seconds => Measured > 1 ? Stopwatch.GetElapsedTime(_first, _last).TotalSeconds : 0;

        public async Task RunAsync(ChannelReader<Delivery> reader, CancellationToken ct)
        {
            long k = 0;
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (reader.TryRead(out var d))
                {
                    if (d.Message is not NodeHealth)
                    {
                        continue;
                    }
                    k++;
                    var now = Stopwatch.GetTimestamp();
                    if (k == warmup)
                    {
                        Verification = d.Envelope?.Verification ?? "";
                        Warm.TrySetResult();
                    }
                    else if (k > warmup)
                    {
                        if (k == warmup + 1)
                        {
                            _first = now;
                            _bytesFirst = GC.GetTotalAllocatedBytes();
                            _cpuFirst = Environment.CpuUsage.TotalTime;
                        }
                        _last = now;
                        Measured = k - warmup;
                        if (Measured == n)
                        {
                            _bytesLast = GC.GetTotalAllocatedBytes();
                            _cpuLast = Environment.CpuUsage.TotalTime;
                            Done.TrySetResult();
                        }
                    }
                }
            }
        }
    }

    /// <summary>One elixir node of the script: its stdout lines, stdin for "go", stopped by EOF then a kill.</summary>
    private sealed class BeamNode : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly System.Text.StringBuilder _stderr = new();

        private BeamNode(Process process)
        {
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
            _ = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    _lines.Writer.TryWrite(line);
                }
                _lines.Writer.TryComplete();
            });
        }

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

        public static BeamNode Start(string elixir, string sname, string cookie, string? secret, string? erl, string[] args)
        {
            var psi = new ProcessStartInfo(elixir) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("--sname");
            psi.ArgumentList.Add(sname);
            psi.ArgumentList.Add("--cookie");
            psi.ArgumentList.Add(cookie);
            if (erl is not null)
            {
                psi.ArgumentList.Add("--erl");
                psi.ArgumentList.Add(erl);
            }
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }
            psi.Environment.Remove("SECRET_KEY_BASE");
            if (secret is not null)
            {
                psi.Environment["SECRET_KEY_BASE"] = secret;
            }
            return new BeamNode(Process.Start(psi) ?? throw new InvalidOperationException("elixir did not start"));
        }

        /// <summary>The next line starting with <paramref name="prefix"/> (others are skipped).</summary>
        public async Task<string> ExpectAsync(string prefix, CancellationToken ct)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(BeamPatience);
            try
            {
                while (true)
                {
                    var line = await _lines.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
                    if (line.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        return line;
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"no '{prefix.Trim()}' from an elixir node within {BeamPatience.TotalSeconds:0} s");
            }
            catch (ChannelClosedException)
            {
                throw new InvalidOperationException($"an elixir node exited before '{prefix.Trim()}'");
            }
        }

        public async Task SendAsync(string line)
        {
            await _process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                _process.StandardInput.Close();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
            {
                // it did not stop by itself
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
        }
    }
}

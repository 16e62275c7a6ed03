using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ExEsdbGater;
using ExEsdbGater.Redis;
using StackExchange.Redis;

namespace Gater.Cli.Commands;

internal sealed partial class BenchCommand : GaterCommand
{
    private static readonly int[] FanoutCounts = [1, 10, 1000];

    private const string Secret = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    private readonly Option<bool> _json = Opt.Flag("--json", "Print one JSON object: {\"results\":{name: per second}, …}.");
    private readonly Option<double?> _seconds = Opt.Number("--seconds", "S", "Time budget per measurement (default 1).", 0.05, 60);
    private readonly Option<bool> _beam = Opt.Flag("--beam-baseline", "Also run bench/beam_baseline.exs (needs elixir on PATH): the original's scheme on BEAM, beside ours.");
    private readonly Option<bool> _beamPubSub = Opt.Flag("--beam", "Also run bench/beam_pubsub.exs as two Elixir nodes (needs elixir on PATH): verified messages/s from one Elixir publisher, beside the rate its messages reach the other Elixir node.");
    private readonly RedisOptions _redis = new("Redis connection string (host:port[,password=…,ssl=true,…]); adds the Redis measurements.");

    public BenchCommand()
        : base("bench", "Quick throughput benchmarks, each beside its baseline measured in the same run.",
            "[--json] [--seconds S] [--beam-baseline] [--beam] [--redis CONN]",
            """
            Results (per second): raw_hmac_sha256 (HMAC-SHA256 of the frame's signed bytes, the baseline), sign, verify,
            local_fanout_1/10/1000 (signed broadcast → in-process backplane → verified once → N subscribers; deliveries/s),
            receive_workers_1/2 (frames signed beforehand on 256 topics handed to a bus with 1 or 2 receive workers;
            verified deliveries/s) and their ratio receive_workers_2_vs_1,
            with --beam-baseline: beam_fanout_1/10/1000 (the original's scheme on BEAM, best queue mode; deliveries/s),
            with --beam: beam_receive_verified_per_s (one Elixir publisher → our bus: verified, typed messages/s) beside
            beam_to_beam_per_s (the same publisher → a second Elixir node, unverified, as BEAM delivers), same run,
            and with --redis: raw_redis_pubsub (StackExchange.Redis pub/sub of the same frame bytes) and redis_end_to_end
            (signed, verified deliveries between two buses over Redis).
            Ratios: *_cost_vs_raw_hmac = raw rate ÷ rate, a cost (2.0 = twice one HMAC; lower is better); every other
            ratio (local_fanout_N_vs_beam_N, beam_receive_vs_beam_to_beam, redis_end_to_end_vs_raw) = our rate ÷ the baseline's, a throughput ratio
            (higher is better). For numbers to publish, use bench/ (BenchmarkDotNet); bench/README.md explains both.
            """)
    {
        Add(_json);
        Add(_seconds);
        Add(_beam);
        Add(_beamPubSub);
        _redis.AddTo(this);
    }

    protected override async Task<int> RunAsync(ParseResult args, CancellationToken ct)
    {
        var budget = TimeSpan.FromSeconds(args.GetValue(_seconds) ?? 1);
        var json = args.GetValue(_json);
        var results = new Dictionary<string, double>();
        var extra = new Dictionary<string, double>();
        void Report(string name, double perSecond, string unit)
        {
            results[name] = perSecond;
            if (!json)
            {
                var ratio = results.TryGetValue("raw_hmac_sha256", out var b) && name != "raw_hmac_sha256" && unit == "ops/s" ? $"  (cost {b / perSecond:0.00}x raw HMAC)" : "";
                Stdout.WriteLine($"{name,-28} {perSecond,14:N0} {unit}{ratio}");
            }
        }

        if (_redis.Connection(args) is { } probe)
        {
            // an unreachable Redis fails now, not after the local measurements
            await using var connection = await ConnectAsync(probe);
        }
        var ring = KeyRing.Of(GaterKey.FromSecret(Secret));
        var message = HealthMessages.NodeHealth("gater1@bench-host", NodeHealthStatus.Healthy,
            checks: JsonMap.Of(("disk", "ok"), ("raft", "ok")), loadAvg: 0.42, memoryUsage: 63.5, diskUsage: 71.2, messageContext: new MessageContext("gater1@bench-host"));
        var envelope = new Envelope(GaterInstance.Health, "cluster:health", message.Tag, "msg_1795752000000000_AbCdEf", "gater1@bench-host", 1_795_751_000_000, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var frame = FrameEncoder.Encode(ring, envelope, message);
        extra["frame_bytes"] = frame.Length;
        var bodyStart = Array.IndexOf(frame, (byte)'{');
        var kidEnd = Array.IndexOf(frame, (byte)'.', 5);
        var signedInput = frame.AsSpan(0, kidEnd + 1).ToArray().Concat(frame.AsSpan(bodyStart).ToArray()).ToArray();
        var key = DeriveKey(Secret);
        var mac = new byte[32];

        // distinct ids, and a replay memory of one entry: every frame takes the full path, as in bench/ FrameBenchmarks
        var frames = Enumerable.Range(0, 4096).Select(i => FrameEncoder.Encode(ring, envelope with { Id = ElixirCompat.GenerateMessageId() }, message)).ToArray();
        var verifier = new FrameVerifier(ring, new VerifierOptions { ReplayCapacity = 1 });
        var next = 0;
        var single = Interleaved(budget,
            ("raw_hmac_sha256", n =>
            {
                for (var i = 0; i < n; i++)
                {
                    HMACSHA256.HashData(key, signedInput, mac);
                }
            }),
            ("sign", n =>
            {
                for (var i = 0; i < n; i++)
                {
                    FrameEncoder.Encode(ring, envelope, message);
                }
            }),
            ("verify", n =>
            {
                for (var i = 0; i < n; i++)
                {
                    if (!verifier.Verify(frames[next++ & 4095], GaterInstance.Health, "cluster:health").IsOk)
                    {
                        throw new InvalidOperationException("bench frame rejected");
                    }
                }
            }));
        foreach (var (name, rate, bytes) in single)
        {
            Report(name, rate, "ops/s");
            extra[name + "_bytes_per_op"] = bytes;
        }

        var (oneWorker, twoWorkers, cpuOne, cpuTwo, verifyOne, verifyTwo) = await ReceiveScalingBench.RunAsync(ring, message, budget, ct);
        Report("receive_workers_1", oneWorker, "deliveries/s");
        Report("receive_workers_2", twoWorkers, "deliveries/s");
        extra["receive_workers_1_cpu_us_per_frame"] = cpuOne;
        extra["receive_workers_2_cpu_us_per_frame"] = cpuTwo;
        // cores busy on average (CPU per frame × frames per second): one worker keeps more than one busy (the reader,
        // the collector and the timers run beside it), and two workers can only share what the machine has
        var coresOne = extra["receive_workers_1_cores"] = cpuOne * oneWorker / 1e6;
        var coresTwo = extra["receive_workers_2_cores"] = cpuTwo * twoWorkers / 1e6;
        // the machine's ceiling for that ratio, taken in turn with it: verify alone on two threads sharing nothing
        extra["verify_threads_1"] = verifyOne;
        extra["verify_threads_2"] = verifyTwo;
        extra["verify_threads_2_vs_1"] = verifyTwo / verifyOne;
        if (!json)
        {
            Stdout.WriteLine($"{"receive 2 vs 1 worker",-20} {twoWorkers / oneWorker,14:0.00}x   (throughput; {Environment.ProcessorCount} processors; CPU per frame {cpuOne:0.00} → {cpuTwo:0.00} µs; cores busy {coresOne:0.00} → {coresTwo:0.00})");
            Stdout.WriteLine($"{"  verify alone 2 vs 1",-20} {verifyTwo / verifyOne,14:0.00}x   (two threads sharing nothing, no bus: what this machine gives a second verifying thread)");
        }

        var perBroadcast = new Dictionary<int, FanoutResult>();
        foreach (var subscribers in FanoutCounts)
        {
            var f = perBroadcast[subscribers] = await FanoutAsync(ring, message, subscribers, budget, ct);
            Report($"local_fanout_{subscribers}", f.Rate, "deliveries/s");
            extra[$"local_fanout_{subscribers}_bytes_per_delivery"] = f.BytesPerBroadcast / subscribers;
        }
        (extra["extra_delivery_ns"], extra["extra_delivery_bytes"]) = perBroadcast[1000].ExtraDeliveryOver(perBroadcast[10], 1000, 10);
        // The collector's part in the extra delivery's time: the runtime sizes the young generation from the CPU's
        // caches, and a VM that shows none gets a small one (about 2 MB on a 2-core VM; bench/README.md).
        var thousand = perBroadcast[1000];
        extra["local_fanout_1000_gc_pause_percent"] = thousand.GcPauseShare * 100;
        extra["local_fanout_1000_gen0_collections"] = thousand.Gen0Collections;
        if (thousand.BytesPerGen0 is { } perGen0)
        {
            extra["local_fanout_1000_bytes_per_gen0_gc"] = perGen0;
        }
        // the same with subscribers whose full queues drop instead of holding publishers back (no wait, so no
        // reentrancy mark per handler call; every subscriber is held within the window, so nothing is dropped)
        var dropTen = await FanoutAsync(ring, message, 10, budget, ct, QueueFullMode.DropOldest);
        var dropThousand = await FanoutAsync(ring, message, 1000, budget, ct, QueueFullMode.DropOldest);
        (extra["extra_delivery_drop_oldest_ns"], extra["extra_delivery_drop_oldest_bytes"]) = dropThousand.ExtraDeliveryOver(dropTen, 1000, 10);
        if (!json)
        {
            Stdout.WriteLine($"{"each extra delivery",-20} {extra["extra_delivery_ns"],14:0.0} ns, {extra["extra_delivery_bytes"],6:0.0} bytes (from 10 → 1000 subscribers)");
            var collections = thousand.BytesPerGen0 is { } bytes ? $"a gen0 collection every {bytes / 1048576.0:0.0} MB allocated" : "no gen0 collection";
            Stdout.WriteLine($"{"  GC at 1000",-20} {thousand.GcPauseShare * 100,14:0.0} % of the time in pauses, {collections}");
            Stdout.WriteLine($"{"  DropOldest queues",-20} {extra["extra_delivery_drop_oldest_ns"],14:0.0} ns, {extra["extra_delivery_drop_oldest_bytes"],6:0.0} bytes (no reentrancy mark: only a Wait-mode handler can be waited on)");
            Stdout.WriteLine($"{"sign cost",-20} {SignCost(),14:0.00}x raw HMAC   verify cost {VerifyCost():0.00}x raw HMAC   (lower is better; frame {frame.Length} bytes)");
        }

        JsonElement? beam = null;
        if (args.GetValue(_beam))
        {
            beam = await BeamBaselineAsync(budget, ct);
            if (beam is { } b)
            {
                foreach (var n in FanoutCounts)
                {
                    Report($"beam_fanout_{n}", b.GetProperty("results").GetProperty($"beam_fanout_{n}").GetDouble(), "deliveries/s");
                }
                if (!json)
                {
                    Stdout.WriteLine($"{"ours / BEAM",-20} {BeamRatio(1),14:0.00}x at 1 subscriber, {BeamRatio(10):0.00}x at 10, {BeamRatio(1000):0.00}x at 1000   (throughput; higher is better)");
                }
            }
        }

        (RedisCpu Raw, RedisCpu Ours)? redisCpu = null;
        BeamPubSubResult? pubsub = null;
        if (args.GetValue(_beamPubSub))
        {
            pubsub = await BeamPubSubAsync(budget, ct);
            if (pubsub is { } p)
            {
                Report("beam_receive_verified_per_s", p.OursPerSecond, "msgs/s");
                Report("beam_to_beam_per_s", p.BeamPerSecond, "msgs/s");
                Report("beam_publisher_send_per_s", p.PublisherPerSecond, "msgs/s");
                extra["beam_messages"] = p.Messages;
                extra["beam_warmup_messages"] = p.Warmup;
                extra["beam_rejected"] = p.Rejected;
                extra["beam_lost"] = p.OursLost;
                extra["beam_to_beam_lost"] = p.BeamLost;
                extra["beam_receive_bytes_per_message"] = p.BytesPerMessage;
                extra["beam_receive_cpu_us_per_message"] = p.CpuMicrosecondsPerMessage;
                if (!json)
                {
                    Stdout.WriteLine($"{"ours / BEAM-to-BEAM",-28} {BeamPubSubRatio(p),14:0.00}x   ({p.Messages:N0} messages, verified {p.Verification}; rejected {p.Rejected}, lost {p.OursLost}, lost on BEAM {p.BeamLost}; {p.BytesPerMessage:0} bytes and {p.CpuMicrosecondsPerMessage:0.0} µs CPU per message)");
                }
            }
        }

        if (_redis.Connection(args) is { } conn)
        {
            var prefix = _redis.ChannelPrefix(args) + "bench" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ":";
            var messages = (int)Math.Clamp(100_000 * budget.TotalSeconds, 20_000, 1_000_000);
            var r = await RedisAsync(conn, prefix, ring, frame, message, messages, ct);
            Report("raw_redis_pubsub", r.RawPerSecond, "msgs/s");
            Report("redis_end_to_end", r.OursPerSecond, "msgs/s");
            extra["redis_ratio"] = r.OursPerSecond / r.RawPerSecond;
            extra["redis_messages"] = r.Messages;
            extra["redis_rejected"] = r.Rejected;
            extra["redis_gaps"] = r.Gaps;
            redisCpu = (r.Raw, r.Ours);
            // one sign and one verify on one thread, from the rows above: the part of ours − raw that is the crypto and JSON
            var signUs = extra["sign_us_per_op"] = 1e6 / results["sign"];
            var verifyUs = extra["verify_us_per_op"] = 1e6 / results["verify"];
            if (!json)
            {
                PrintRedis(r, signUs, verifyUs);
            }
        }

        if (json)
        {
            Stdout.WriteLine(Cli.JsonLine(w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("results");
                foreach (var (k, v) in results)
                {
                    w.WriteNumber(k, Math.Round(v));
                }
                w.WriteEndObject();
                w.WriteStartObject("ratios");
                w.WriteNumber("sign_cost_vs_raw_hmac", Math.Round(SignCost(), 3));
                w.WriteNumber("verify_cost_vs_raw_hmac", Math.Round(VerifyCost(), 3));
                w.WriteNumber("receive_workers_2_vs_1", Math.Round(results["receive_workers_2"] / results["receive_workers_1"], 3));
                if (beam is not null)
                {
                    foreach (var n in FanoutCounts)
                    {
                        w.WriteNumber($"local_fanout_{n}_vs_beam_{n}", Math.Round(BeamRatio(n), 3));
                    }
                }
                if (pubsub is { } ps)
                {
                    w.WriteNumber("beam_receive_vs_beam_to_beam", Math.Round(BeamPubSubRatio(ps), 3));
                }
                if (extra.TryGetValue("redis_ratio", out var rr))
                {
                    w.WriteNumber("redis_end_to_end_vs_raw", Math.Round(rr, 3));
                }
                w.WriteEndObject();
                w.WriteStartObject("details");
                foreach (var (k, v) in extra)
                {
                    w.WriteNumber(k, Math.Round(v, 2));
                }
                if (redisCpu is { } cpu)
                {
                    WriteRedisCpu(w, cpu.Raw, cpu.Ours);
                }
                w.WriteNumber("processors", Environment.ProcessorCount);
                w.WriteNumber("seconds_per_measurement", budget.TotalSeconds);
                w.WriteEndObject();
                if (beam is { } b)
                {
                    // the script's own report, unchanged: every configuration and the OTP release it ran on
                    w.WritePropertyName("beam_baseline");
                    b.WriteTo(w);
                }
                w.WriteEndObject();
            }));
        }
        return 0;

        // costs: how many raw HMACs one operation is worth; the results stay rates
        double SignCost() => results["raw_hmac_sha256"] / results["sign"];
        double VerifyCost() => results["raw_hmac_sha256"] / results["verify"];
        double BeamRatio(int n) => results[$"local_fanout_{n}"] / results[$"beam_fanout_{n}"];
    }

    private static double BeamPubSubRatio(BeamPubSubResult p) => p.BeamPerSecond > 0 ? p.OursPerSecond / p.BeamPerSecond : 0;

    /// <summary>
    /// Rates of several single-threaded operations measured in turns: each warmed up as <see cref="Rate"/> does, then
    /// five rounds of all of them in turn, each round a fifth of the budget; the median round of each, and the bytes
    /// it allocates per operation. Taking turns puts a passing disturbance of the machine into one round of each, not
    /// into one operation's whole measurement, so the ratios between them hold.
    /// </summary>
    private static List<(string Name, double Rate, double BytesPerOp)> Interleaved(TimeSpan budget, params (string Name, Action<int> Body)[] ops)
    {
        foreach (var (_, body) in ops)
        {
            Rate(TimeSpan.FromMilliseconds(50), body);
        }
        const int Rounds = 5;
        var rates = ops.Select(_ => new List<double>()).ToArray();
        var bytes = new double[ops.Length];
        for (var round = 0; round < Rounds; round++)
        {
            for (var k = 0; k < ops.Length; k++)
            {
                long n = 0;
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                while (sw.Elapsed < budget / Rounds)
                {
                    ops[k].Body(200);
                    n += 200;
                }
                rates[k].Add(n / sw.Elapsed.TotalSeconds);
                bytes[k] += (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / n / Rounds;
            }
        }
        return ops.Select((op, k) => (op.Name, rates[k].Order().ElementAt(Rounds / 2), bytes[k])).ToList();
    }

    /// <summary>Runs the body in growing batches for the budget; returns operations per second.</summary>
    private static double Rate(TimeSpan budget, Action<int> body, int maxBatch = int.MaxValue)
    {
        for (var warm = new WarmUp(TimeSpan.FromSeconds(4)); warm.Going;)
        {
            long n = 0;
            var round = Stopwatch.StartNew();
            while (round.Elapsed < TimeSpan.FromMilliseconds(100))
            {
                var k = Math.Min(500, maxBatch);
                body(k);
                n += k;
            }
            warm.Add(n / round.Elapsed.TotalSeconds);
        }
        var batch = 100;
        long ops = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < budget)
        {
            body(batch);
            ops += batch;
            batch = Math.Min(batch * 2, maxBatch);
        }
        return ops / sw.Elapsed.TotalSeconds;
    }
    /// <summary>
    /// Runs bench/beam_baseline.exs (embedded, so an installed tool has it too) with elixir from PATH; its JSON, or
    /// null after one line on stderr when elixir is missing or the script fails: the baseline is optional.
    /// </summary>
    private static async Task<JsonElement?> BeamBaselineAsync(TimeSpan budget, CancellationToken ct)
    {
        var elixir = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "elixir")).FirstOrDefault(File.Exists);
        if (elixir is null)
        {
            await Console.Error.WriteLineAsync("gater bench: elixir is not on PATH; skipping the BEAM baseline (install Elixir, e.g. apt-get install elixir erlang-crypto)");
            return null;
        }
        var script = Path.Combine(Path.GetTempPath(), $"gater-beam-baseline-{Environment.ProcessId}.exs");
        try
        {
            await using (var resource = typeof(BenchCommand).Assembly.GetManifestResourceStream("beam_baseline.exs")!)
            await using (var file = File.Create(script))
            {
                await resource.CopyToAsync(file, ct);
            }
            var psi = new ProcessStartInfo(elixir) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { script, "--json", "--seconds", budget.TotalSeconds.ToString(CultureInfo.InvariantCulture) })
            {
                psi.ArgumentList.Add(a);
            }
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            var lastLine = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (process.ExitCode != 0 || lastLine is null)
            {
                var why = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "no output";
                await Console.Error.WriteLineAsync($"gater bench: the BEAM baseline failed (exit {process.ExitCode}): {why}");
                return null;
            }
            using var doc = JsonDocument.Parse(lastLine);
            return doc.RootElement.Clone();
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>The signing key of a secret (docs/wire-format.md: HKDF-SHA256, empty salt, fixed info).</summary>
    private static byte[] DeriveKey(string secret)
        => HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, [], "ex_esdb_gater messages v1"u8.ToArray());
}

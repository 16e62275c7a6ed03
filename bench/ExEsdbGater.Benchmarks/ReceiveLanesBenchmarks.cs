using System.Globalization;
using BenchmarkDotNet.Attributes;
using ExEsdbGater;
using Gater.Cli.Commands;

namespace ExEsdbGater.Benchmarks;

/// <summary>
/// Receive scaling with <see cref="GaterBusOptions.ReceiveWorkers"/>: frames signed beforehand on 256 topics are handed
/// to a bus one call at a time, as a backplane's receive loop would, and each is verified and delivered to a stream
/// read in batches; per operation = one verified delivery. 1 worker is the baseline (the inline path).
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class ReceiveLanesBenchmarks
{
    private const int Frames = 50_000;
    private const int Topics = 256;
    private (string Topic, byte[] Frame)[] _frames = null!;
    private KeyRing _ring = null!;
    private IGaterBus _bus = null!;
    private BackplaneFrameHandler _handler = null!;
    private TaskCompletionSource _done = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ring = KeyRing.Of(GaterKey.FromSecret("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"));
        var message = HealthMessages.NodeHealth("gater1@bench-host", NodeHealthStatus.Healthy, checks: JsonMap.Of(("disk", "ok")), loadAvg: 0.42, messageContext: new MessageContext("a@bench"));
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var seqs = new long[Topics];
        _frames = new (string, byte[])[Frames];
        for (var i = 0; i < Frames; i++)
        {
            var t = i % Topics;
            var topic = "bench:t" + t.ToString(CultureInfo.InvariantCulture);
            _frames[i] = (topic, FrameEncoder.Encode(_ring, new Envelope(GaterInstance.Health, topic, message.Tag, ElixirCompat.GenerateMessageId(), "a@bench", 1, ++seqs[t], ts), message));
        }
    }

    [IterationSetup(Target = nameof(OneWorker))]
    public void SetupOne() => NewBus(1);

    [IterationSetup(Target = nameof(TwoWorkers))]
    public void SetupTwo() => NewBus(2);

    [IterationSetup(Target = nameof(FourWorkers))]
    public void SetupFour() => NewBus(4);

    // a fresh bus per iteration: a fresh replay memory, so the same frames are accepted again
    private void NewBus(int workers)
    {
        var backplane = new PushBackplane();
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _bus = GaterBus.Create(new GaterBusOptions
        {
            NodeName = "b@bench",
            Keys = _ring,
            Backplane = backplane,
            ReceiveWorkers = workers,
            InboundCapacity = Frames * 8, // split between the lanes, whose topics are not spread evenly
            Verifier = new VerifierOptions { ReplayCapacity = Frames + 16 },
        });
        // a stream read in batches, as in gater bench: the bus's work, plus the least a reader can do; far from the
        // end the reader lets deliveries gather rather than be woken for each (its wake-ups take the lanes' cores)
        var stream = _bus.OpenStreamAsync(GaterInstance.Health, "bench:*", new SubscriptionOptions { Capacity = Frames }).AsTask().GetAwaiter().GetResult();
        var done = _done;
        _ = Task.Run(async () =>
        {
            var reader = stream.Reader;
            long n = 0;
            while (n < Frames && await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out _))
                {
                    n++;
                }
                if (Frames - n > 4096)
                {
                    await Task.Delay(1);
                }
            }
            done.TrySetResult();
        });
        _handler = backplane.Handler!;
    }

    [IterationCleanup]
    public void DisposeBus() => _bus.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The inline path: the baseline.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Frames)]
    public Task OneWorker() => PushAll();

    [Benchmark(OperationsPerInvoke = Frames)]
    public Task TwoWorkers() => PushAll();

    [Benchmark(OperationsPerInvoke = Frames)]
    public Task FourWorkers() => PushAll();

    private Task PushAll()
    {
        foreach (var (topic, frame) in _frames)
        {
            _handler(GaterInstance.Health, topic, frame);
        }
        // waits without spinning: a spinning waiter would take a core from the workers
        return _done.Task;
    }
}

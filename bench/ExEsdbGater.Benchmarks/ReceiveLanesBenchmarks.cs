using BenchmarkDotNet.Attributes;
using ExEsdbGater;
using Gater.Cli.Commands;

namespace ExEsdbGater.Benchmarks;

/// <summary>
/// Receive scaling with <see cref="GaterBusOptions.ReceiveWorkers"/>, in steady state as in <c>gater bench</c> (the
/// same <see cref="ReceiveRig"/>): each worker count has one bus for the whole run, whose replay memory is full before
/// the first iteration; each iteration's frames are signed fresh beforehand, on 256 topics, and handed to the bus one
/// call at a time, as a backplane's receive loop would, each verified and delivered to a stream read in batches.
/// Per operation = one verified delivery. 1 worker is the baseline (the inline path).
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class ReceiveLanesBenchmarks
{
    private const int Frames = 50_000;
    private KeyRing _ring = null!;
    private NodeHealth _message = null!;
    private ReceiveRig _rig = null!;
    private ReceiveRig.Round _round = null!;

    [GlobalSetup(Target = nameof(OneWorker))]
    public void SetupOne() => Start(1);

    [GlobalSetup(Target = nameof(TwoWorkers))]
    public void SetupTwo() => Start(2);

    [GlobalSetup(Target = nameof(FourWorkers))]
    public void SetupFour() => Start(4);

    private void Start(int workers)
    {
        _ring = KeyRing.Of(GaterKey.FromSecret("bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz"));
        _message = HealthMessages.NodeHealth("gater1@bench-host", NodeHealthStatus.Healthy, checks: JsonMap.Of(("disk", "ok"), ("raft", "ok")), loadAvg: 0.42, memoryUsage: 63.5, diskUsage: 71.2, messageContext: new MessageContext("gater1@bench-host"));
        _rig = ReceiveRig.StartAsync(_ring, _message, workers, Frames, CancellationToken.None).GetAwaiter().GetResult();
        _rig.FillReplayAsync(Frames, CancellationToken.None).GetAwaiter().GetResult();
    }

    // not timed: fresh frames (a new id each, every topic's sequence going on), the reader waiting, a collected heap
    [IterationSetup]
    public void Prepare() => _round = _rig.Prepare(Frames, CancellationToken.None);

    [GlobalCleanup]
    public void Stop() => _rig.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The inline path: the baseline.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Frames)]
    public Task OneWorker() => _round.RunAsync();

    [Benchmark(OperationsPerInvoke = Frames)]
    public Task TwoWorkers() => _round.RunAsync();

    [Benchmark(OperationsPerInvoke = Frames)]
    public Task FourWorkers() => _round.RunAsync();
}

using System.Globalization;
using BenchmarkDotNet.Running;
using ExEsdbGater.Benchmarks;

// dotnet run -c Release --project bench/ExEsdbGater.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/ExEsdbGater.Benchmarks -- durable-latency [rate=1000] [seconds=10]
if (args.Length > 0 && args[0] == "durable-latency")
{
    await DurableBenchmarks.LatencyAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

internal sealed partial class Program;

using ExEsdbGater;
using ExEsdbGater.Redis;
using Gater.Cli;
using Gater.Cli.Commands;

var commands = new ICommand[]
{
    new DemoCommand(), new TailCommand(), new PublishCommand(), new SignCommand(), new VerifyCommand(),
    new KeygenCommand(), new CatalogCommand(), new BenchCommand(),
};

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.Out.Write(Cli.Overview(commands));
    return args.Length == 0 ? 2 : 0;
}
if (args[0] is "--version")
{
    Console.Out.WriteLine(typeof(IGaterBus).Assembly.GetName().Version);
    return 0;
}
var command = commands.FirstOrDefault(c => c.Spec.Name == args[0]);
if (command is null)
{
    Console.Error.WriteLine($"gater: unknown command '{args[0]}'; see 'gater --help'");
    return 2;
}
try
{
    var parsed = ParsedArgs.Parse(command.Spec, args[1..]);
    if (parsed.Help)
    {
        Console.Out.Write(command.Spec.HelpText());
        return 0;
    }
    using var cts = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cts.Cancel();
    };
    return await command.RunAsync(parsed, cts.Token);
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"gater {args[0]}: {ex.Message}");
    return 2;
}
catch (GaterConfigurationException ex)
{
    Console.Error.WriteLine($"gater {args[0]}: configuration error: {ex.Message}");
    return 2;
}
catch (GaterSecurityException ex)
{
    Console.Error.WriteLine($"gater {args[0]}: {ex.Message}");
    return 2;
}
catch (GaterBackplaneException ex)
{
    Console.Error.WriteLine($"gater {args[0]}: {ex.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    return 0;
}

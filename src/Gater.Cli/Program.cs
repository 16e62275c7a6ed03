using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;
using System.Runtime.InteropServices;
using ExEsdbGater;
using ExEsdbGater.Redis;
using Gater.Cli;
using Gater.Cli.Commands;

GaterCommand[] commands =
[
    new DemoCommand(), new DashboardCommand(), new TailCommand(), new PublishCommand(), new SignCommand(), new VerifyCommand(),
    new KeygenCommand(), new CatalogCommand(), new BenchCommand(),
];
var root = new RootCommand("gater — the typed, signed, cluster-wide message bus of ExESDB (exg1 frames)");
foreach (var c in commands)
{
    root.Add(c);
}
// gater's own help layout for the root and every command
root.Options.OfType<HelpOption>().Single().Action = new HelpText(commands);
root.Options.OfType<VersionOption>().Single().Action = new VersionText();

var name = "gater";
if (args.Length == 0 || args is ["help"])
{
    Stdout.WriteText(Cli.Overview(commands));
    return OutputCode(args.Length == 0 ? 2 : 0);
}
var parsed = root.Parse(args);
if (parsed.Action is ParseErrorAction)
{
    Console.Error.WriteLine(Cli.ParseErrorLine(parsed));
    return 2;
}
name = parsed.CommandResult.Command is GaterCommand gc ? "gater " + gc.Name : "gater";
try
{
    using var cts = new CancellationTokenSource();
    Stdout.StopOnFailure(cts);
    // Ctrl+C and SIGTERM (service managers, kill) alike: a requested stop, finished cleanly with exit 0
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        cts.Cancel();
    }
    // no System.CommandLine exception handler or termination timeout: failures are mapped below, signals handled above
    var code = await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cts.Token);
    return OutputCode(code);
}
catch (UsageException ex)
{
    return Fail(ex.Message, 2);
}
catch (GaterConfigurationException ex)
{
    return Fail("configuration error: " + ex.Message, 2);
}
catch (GaterSecurityException ex)
{
    return Fail(ex.Message, 2);
}
catch (GaterBackplaneException ex) when (ex.InnerException is ArgumentException)
{
    // a malformed connection string is the user's configuration, not a runtime failure
    return Fail(ex.Message, 2);
}
catch (GaterBackplaneException ex)
{
    return Fail(ex.Message, 1);
}
catch (ArgumentException ex)
{
    // the library refused a value the user gave (a topic, a node name, …)
    return Fail(ex.Message, 2);
}
catch (OperationCanceledException)
{
    return OutputCode(0);
}

int Fail(string message, int code)
{
    Console.Error.WriteLine($"{name}: {Cli.Plain(message)}");
    return code;
}

// a failed write to standard output decides the exit code: the reader leaving is a normal end
int OutputCode(int code)
{
    if (Stdout.ReaderGone)
    {
        return 0;
    }
    if (Stdout.Failure is { } failure)
    {
        return Fail("cannot write to standard output: " + failure.Message, 1);
    }
    return code;
}

/// <summary>Prints gater's help for the command the user asked about.</summary>
internal sealed class HelpText(IReadOnlyList<GaterCommand> commands) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        Stdout.WriteText(parseResult.CommandResult.Command is GaterCommand c ? c.HelpText() : Cli.Overview(commands));
        return 0;
    }
}

/// <summary>Prints the package version (InformationalVersion; the project leaves out the source revision).</summary>
internal sealed class VersionText : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        var v = typeof(VersionText).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        Stdout.WriteLine(v);
        return 0;
    }
}

using System.CommandLine;

namespace Gater.Cli.Commands;

internal sealed class CatalogCommand : GaterCommand
{
    private readonly Option<bool> _json = Opt.Flag("--json", "Print it as JSON in the shape of catalog.json.");

    public CatalogCommand()
        : base("catalog", "Print the message catalog as implemented.", "[--json]")
    {
        Add(_json);
    }

    protected override Task<int> RunAsync(ParseResult args, CancellationToken ct)
    {
        if (args.GetValue(_json))
        {
            using var stdout = Console.OpenStandardOutput();
            Payloads.WriteCatalogJson(stdout);
            stdout.Write("\n"u8);
            return Task.FromResult(0);
        }
        Payloads.WriteCatalogText(Console.Out);
        return Task.FromResult(0);
    }
}

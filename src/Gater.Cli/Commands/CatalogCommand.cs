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
            using var json = new MemoryStream();
            Payloads.WriteCatalogJson(json);
            json.WriteByte((byte)'\n');
            Stdout.Write(json.ToArray());
            return Task.FromResult(0);
        }
        using var text = new StringWriter();
        Payloads.WriteCatalogText(text);
        Stdout.WriteText(text.ToString());
        return Task.FromResult(0);
    }
}

using System.Buffers.Text;
using System.CommandLine;
using System.Security.Cryptography;

namespace Gater.Cli.Commands;

internal sealed class KeygenCommand : GaterCommand
{
    public KeygenCommand()
        : base("keygen", "Print a new random secret (64 characters, base64url).", "", "Use it as SECRET_KEY_BASE on every node of a cluster.")
    {
    }

    protected override Task<int> RunAsync(ParseResult args, CancellationToken ct)
    {
        Stdout.WriteLine(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48)));
        return Task.FromResult(0);
    }
}

using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Gater.Cli.Tests;

/// <summary>
/// The CLI as a user gets it: packed, installed with --tool-path from a local folder, run. The tool install reads a
/// nuget.config that lists only that folder, so the test needs no network.
/// </summary>
public sealed class PackageTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ExEsdbGater.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("ExEsdbGater.slnx not found above " + AppContext.BaseDirectory);
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not end");
        }
        return (p.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task The_packed_tool_installs_from_a_local_folder_and_reports_the_package_version()
    {
        var root = RepoRoot();
        var temp = Directory.CreateTempSubdirectory("gater-pack-");
        try
        {
            var feed = Path.Combine(temp.FullName, "nupkg");
            // the Debug build the tests run on is already there: pack it as is
            var (packCode, pack) = await RunAsync("dotnet", "pack", Path.Combine(root, "src", "Gater.Cli"), "--no-build", "-c", "Debug", "-o", feed, "-nologo");
            Assert.True(packCode == 0, pack);
            Assert.DoesNotContain("warning", pack, StringComparison.OrdinalIgnoreCase);
            Assert.True(File.Exists(Path.Combine(feed, "ExEsdbGater.Cli.0.1.0.nupkg")), pack);
            Assert.True(File.Exists(Path.Combine(feed, "ExEsdbGater.Cli.0.1.0.snupkg")), pack);

            // what nuget.org would show: license, readme, tags
            using (var zip = ZipFile.OpenRead(Path.Combine(feed, "ExEsdbGater.Cli.0.1.0.nupkg")))
            {
                using var nuspecStream = zip.GetEntry("ExEsdbGater.Cli.nuspec")!.Open();
                var meta = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
                string Meta(string name) => meta.Elements().Single(e => e.Name.LocalName == name).Value;
                Assert.Equal("MIT", Meta("license"));
                Assert.Equal("README.md", Meta("readme"));
                Assert.Equal("0.1.0", Meta("version"));
                Assert.Contains("message-bus", Meta("tags"), StringComparison.Ordinal);
                Assert.NotNull(zip.GetEntry("README.md"));
            }

            var config = Path.Combine(temp.FullName, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            var tools = Path.Combine(temp.FullName, "tools");
            var (installCode, install) = await RunAsync("dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "ExEsdbGater.Cli");
            Assert.True(installCode == 0, install);
            var (code, version) = await RunAsync(Path.Combine(tools, "gater"), "--version");
            Assert.Equal(0, code);
            Assert.Equal("0.1.0", version.Trim());
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }
}

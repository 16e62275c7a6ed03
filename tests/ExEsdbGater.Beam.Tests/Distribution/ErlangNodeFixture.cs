using System.Net;
using ExEsdbGater.Beam.Distribution;

namespace ExEsdbGater.Beam.Tests.Distribution;

/// <summary>One erl node (net_ticktime 4) and one .NET node, shared by the tests of a class.</summary>
public sealed class ErlangNodeFixture : IAsyncLifetime
{
    public const string Cookie = "exg_dist_test_cookie";

    internal ErlNode Erl { get; private set; } = null!;

    internal ErlangNode Node { get; private set; } = null!;

    internal PeerEvents Events { get; private set; } = null!;

    /// <summary>A .NET node on loopback with the test cookie, ticktime 4 s, short handshake timeout.</summary>
    internal static Task<ErlangNode> StartNodeAsync(string? cookie = null, IReadOnlyList<string>? peers = null, Func<ErlangNodeOptions, ErlangNodeOptions>? tweak = null)
        => ErlangNode.StartAsync((tweak ?? (o => o))(new ErlangNodeOptions
        {
            NodeName = ErlNode.UniqueName("dotnet"),
            Cookie = cookie ?? Cookie,
            ListenAddress = IPAddress.Loopback,
            NetTickTime = TimeSpan.FromSeconds(4),
            HandshakeTimeout = TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            Peers = peers ?? [],
        }));

    public async Task InitializeAsync()
    {
        await Epmd.EnsureRunningAsync();
        Erl = await ErlNode.StartAsync(ErlNode.UniqueName("erl"), Cookie);
        Node = await StartNodeAsync();
        Events = new PeerEvents(Node);
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        await Erl.DisposeAsync();
    }
}

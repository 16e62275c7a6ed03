using System.Collections.Concurrent;
using ExEsdbGater.Testing;

namespace ExEsdbGater.Redis.Tests.Durable;

/// <summary>One process's worth of durable bus: its own Redis connection, bus and counters.</summary>
internal sealed class DurableNode : IAsyncDisposable
{
    public const string Secret = "durable-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    public static readonly KeyRing Ring = KeyRing.Of(GaterKey.FromSecret(Secret));

    private DurableNode(IGaterBus bus, IGaterDurableTransport transport)
    {
        Bus = bus;
        Transport = transport;
        bus.FrameRejected += Rejected.Enqueue;
        bus.StreamGapDetected += Gaps.Enqueue;
    }

    public IGaterBus Bus { get; }

    public IGaterDurableTransport Transport { get; }

    public ConcurrentQueue<FrameRejection> Rejected { get; } = new();

    public ConcurrentQueue<StreamGap> Gaps { get; } = new();

    public static async Task<DurableNode> StartAsync(string connectionString, string prefix, string node, RedisDurableOptions? options = null, TimeProvider? clock = null)
    {
        var transport = await RedisDurableTransport.ConnectAsync((options ?? new RedisDurableOptions { ConnectionString = connectionString }) with { ConnectionString = connectionString, Prefix = prefix });
        var bus = GaterBus.Create(new GaterBusOptions
        {
            NodeName = node,
            Keys = Ring,
            DurableTransport = transport,
            Verifier = new VerifierOptions { TimeProvider = clock ?? TimeProvider.System },
        });
        return new DurableNode(bus, transport);
    }

    public static AdminAction Audit(int i) => AuditMessages.AdminAction("user-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), AdminActionType.ConfigUpdated, "resource");

    public static int Number(Delivery d) => int.Parse(((AdminAction)d.Message!).AdminUserId["user-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await Bus.DisposeAsync();
        await Transport.DisposeAsync();
    }

    public static Task Until(Func<bool> condition, string what, int seconds = 30) => Waiting.UntilAsync(condition, what, TimeSpan.FromSeconds(seconds));

    public static Task Until(Func<bool> condition, Func<string> what, int seconds = 30) => Waiting.UntilAsync(condition, what, TimeSpan.FromSeconds(seconds));
}

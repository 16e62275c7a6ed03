using System.Globalization;
using ExEsdbGater;
using ExEsdbGater.Messages;
using ExEsdbGater.Redis;

// usage: Gater.DurableConsumer <redis> <prefix> <node> <handler-delay-ms>
// Consumes ex_esdb_audit in its service's group and prints one line per handled entry, flushed before the handler
// returns: "done <number> <entry-id> <redelivered>". Prints "ready" once subscribed. Needs SECRET_KEY_BASE.
var redis = args[0];
var prefix = args[1];
var node = args[2];
var delay = int.Parse(args[3], CultureInfo.InvariantCulture);
var stdout = Console.Out;
await using var transport = await RedisDurableTransport.ConnectAsync(new RedisDurableOptions { ConnectionString = redis, Prefix = prefix });
await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = node, DurableTransport = transport });
await using var sub = await bus.SubscribeAsync(GaterInstance.Audit, "*", async (d, ct) =>
{
    await Task.Delay(delay, ct);
    var n = ((AdminAction)d.Message!).AdminUserId["user-".Length..];
    stdout.WriteLine($"done {n} {d.StreamEntryId} {(d.IsRedelivery ? "redelivered" : "new")}");
    stdout.Flush();
}, new SubscriptionOptions { Capacity = 16 });
stdout.WriteLine("ready");
stdout.Flush();
await Task.Delay(Timeout.Infinite);

using System.Security.Cryptography;
using System.Text;
using ExEsdbGater.Beam.Mapping;
using ExEsdbGater.Beam.Tests.Mapping;
using ExEsdbGater.Json;

namespace ExEsdbGater.Beam.Tests.Peer;

/// <summary>
/// Messages mapped to terms in .NET, signed over our OTP 25 (latin-1 atom) encoding, and checked by the peer's
/// validate_secure_message on a real OTP 25 node: its own term_to_binary must reproduce our bytes.
/// </summary>
public sealed class DotnetToPeerTests
{
    private static string SignedHex(GaterMessage message)
    {
        var term = BeamMapping.ToTerm(message);
        var sig = HMACSHA256.HashData(Encoding.UTF8.GetBytes(ElixirPeer.DefaultSecret), EtfWriter.ToBinary(term, AtomEncoding.Latin1));
        // as the distribution carries it: UTF-8 atoms
        var wrapped = new ExEsdbGater.Beam.Terms.Tuple(Atom.Of("secure_message"), new Binary(sig), term);
        return Convert.ToHexString(EtfWriter.ToBinary(wrapped, AtomEncoding.Utf8));
    }

    [Fact]
    public async Task Every_type_made_in_dotnet_verifies_on_an_otp25_node()
    {
        await using var peer = await ElixirPeer.StartAsync(ElixirPeer.UniqueName("n"), "gater-peer-cookie", ElixirPeer.DefaultSecret);
        foreach (var v in BeamVectors.All.Where(v => v.Tag != "log_summary"))
        {
            // the vector's values as a .NET message (no received terms kept): atoms where the original documents atoms
            var message = BeamMapping.FromTerm(EtfReader.Decode(v.Latin1), v.GaterInstance, "dotnet@host").Message!;
            var origin = message is ClusterHealth or AccessViolation or AlertAck or AlertEscalation or NotificationStatus or LogFilter ? "-" : "seed@localhost";
            Assert.Equal($"verify ok {v.Tag} {v.Struct} {origin}", await peer.CommandAsync("verify " + SignedHex(message)));
        }
        var summary = LoggingMessages.LogSummary("last_hour", JsonMap.Parse("""{"info":40,"error":2}"""), node: "dotnet@host",
            topErrors: new ValueList<JsonMap>([JsonMap.Parse("""{"message":"boom","count":2,"ratio":0.5,"nested":{"z":null,"a":[true]}}""")]));
        Assert.Equal("verify ok log_summary ExESDBGater.Messages.LoggingMessages.LogSummary -", await peer.CommandAsync("verify " + SignedHex(summary)));
        // microseconds, a long atom-valued name and unicode
        var health = HealthMessages.ComponentHealth(new string('c', 300), "dotnet@host", HealthStatus.Healthy,
            details: JsonMap.Parse("""{"ü":"ï","b":1e300,"a":-9223372036854775808}"""), lastCheck: DateTimeOffset.UnixEpoch.AddTicks(123_456_70));
        Assert.Equal("verify ok component_health_updated ExESDBGater.Messages.HealthMessages.ComponentHealth dotnet@host", await peer.CommandAsync("verify " + SignedHex(health)));
    }
}

using ExEsdbGater.Beam.Signing;
using ExEsdbGater.Beam.Tests.Terms;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Tests.Signing;

/// <summary>What we sign is accepted by an OTP 25 receiver's check, the original's: HMAC over its own term_to_binary.</summary>
public sealed class BeamSignerErlangTests
{
    [Fact]
    public void Erlang_accepts_our_signatures_of_received_and_of_built_messages()
    {
        var signer = BeamSigner.FromSecrets([BeamVectors.Secret]);
        var otp26 = BeamSigner.FromSecrets([BeamVectors.Secret], signingProfile: SignatureProfile.Otp26);
        var messages = BeamVectors.All.Select(v => (Tuple)EtfReader.Decode(v.Utf8)).ToList();
        // A message built here, its struct's keys in no particular order: sorted into term order before signing.
        var built = new Tuple(Atom.Of("node_health_updated"), new Map(
        [
            new(Atom.Of("status"), Atom.Of("healthy")),
            new(Atom.Of("node"), Atom.Of("dotnet@localhost")),
            new(Atom.Of("__struct__"), Atom.Of("Elixir.ExESDBGater.Messages.HealthMessages.NodeHealth")),
            new(Atom.Of("checks"), new Map([new(Binary.Utf8("disk"), Atom.Of("ok")), new(Binary.Utf8("cpu"), new Float(0.25))])),
            new(Atom.Of("timestamp"), new Integer(1_790_000_000_000_000L)),
        ]));
        messages.Add((Tuple)TermOrder.SortMaps(built));
        var wire = messages.Select(m => EtfWriter.ToBinary(signer.Sign(m), AtomEncoding.Utf8))
            .Concat(messages.Take(3).Select(m => EtfWriter.ToBinary(otp26.Sign(m), AtomEncoding.Utf8)))
            .ToList();
        var checks = ErlangTermToBinary.Reencode(wire, BeamVectors.Secret);
        for (var i = 0; i < messages.Count; i++)
        {
            Assert.True(checks[i].Signature == "valid", $"message {i}: {messages[i]}");
        }
        // An OTP 26-profile signature is not what an OTP 25 receiver recomputes (hence Otp25 is the default).
        Assert.All(checks.Skip(messages.Count), c => Assert.Equal("invalid", c.Signature));
    }
}

using System.Text;
using ExEsdbGater.Beam.Signing;
using ExEsdbGater.Beam.Tests.Terms;
using ExEsdbGater.Frames;
using Tuple = ExEsdbGater.Beam.Terms.Tuple;

namespace ExEsdbGater.Beam.Tests.Signing;

/// <summary>The original's signatures: the 36 vectors' HMACs, and every way a received term is refused.</summary>
public sealed class BeamSignerTests
{
    public static TheoryData<string> Vectors => BeamVectors.Names();

    private static BeamSigner Signer(params string[] secrets) => BeamSigner.FromSecrets(secrets);

    private static Tuple Secure(byte[] signature, Term message) => new(Atom.Of("secure_message"), new Binary(signature), message);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_hmacs_verify_under_their_profile_from_either_received_encoding(string name)
    {
        var v = BeamVectors.Get(name);
        var signer = Signer(BeamVectors.Secret);
        // The distribution carries UTF-8 atoms whatever the sender signed, so decode the UTF-8 bytes too.
        foreach (var bytes in new[] { v.Latin1, v.Utf8 })
        {
            var message = EtfReader.Decode(bytes);
            var otp25 = signer.Verify(Secure(v.HmacLatin1, message));
            Assert.True(otp25.IsValid, otp25.ToString());
            Assert.Equal(SignatureProfile.Otp25, otp25.Profile);
            Assert.Equal(0, otp25.SecretIndex);
            Assert.Equal(message, otp25.Message);
            var otp26 = signer.Verify(Secure(v.HmacUtf8, message));
            Assert.True(otp26.IsValid, otp26.ToString());
            Assert.Equal(SignatureProfile.Otp26, otp26.Profile);
        }
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Signing_a_decoded_vector_reproduces_its_hmac(string name)
    {
        var v = BeamVectors.Get(name);
        var message = Assert.IsType<Tuple>(EtfReader.Decode(v.Utf8));
        var signed = Signer(BeamVectors.Secret).Sign(message);
        Assert.Equal(v.HmacLatin1, Assert.IsType<Binary>(signed[1]).Bytes.ToArray());
        Assert.Same(message, signed[2]);
        Assert.Equal(v.HmacUtf8, BeamSigner.ComputeSignature(message, Encoding.UTF8.GetBytes(BeamVectors.Secret), SignatureProfile.Otp26));
        // What the original receives: the signed term through the wire and back verifies.
        var received = EtfReader.Decode(EtfWriter.ToBinary(signed, AtomEncoding.Utf8));
        Assert.Equal(SignatureProfile.Otp25, Signer(BeamVectors.Secret).Verify(received).Profile);
    }

    [Fact]
    public void A_previous_secret_verifies_and_is_reported()
    {
        var v = BeamVectors.All[0];
        var result = Signer("current-secret-0123456789abcdefghijklmnop", BeamVectors.Secret).Verify(Secure(v.HmacLatin1, EtfReader.Decode(v.Utf8)));
        Assert.True(result.IsValid);
        Assert.Equal(1, result.SecretIndex);
    }

    [Fact]
    public void Map_order_as_received_is_what_the_signature_covers()
    {
        var v = BeamVectors.All[0];
        var message = (Tuple)EtfReader.Decode(v.Latin1);
        var fields = (Map)message[1];
        var reordered = new Tuple(message[0], new Map(fields.Pairs.Reverse().ToArray()));
        Assert.Equal<Term>(message, reordered);
        var result = Signer(BeamVectors.Secret).Verify(Secure(v.HmacLatin1, reordered));
        Assert.Equal(RejectReason.InvalidSignature, result.Reason);
    }

    [Fact]
    public void Tampered_wrong_secret_truncated_unsecured_and_garbage_give_their_reasons()
    {
        var v = BeamVectors.All[3];
        var message = (Tuple)EtfReader.Decode(v.Latin1);
        var signer = Signer(BeamVectors.Secret);

        var tamperedSignature = v.HmacLatin1.ToArray();
        tamperedSignature[31] ^= 1;
        Assert.Equal(RejectReason.InvalidSignature, signer.Verify(Secure(tamperedSignature, message)).Reason);

        // A tampered byte of the message (a binary inside the struct changes).
        var bytes = v.Latin1.ToArray();
        var at = Array.LastIndexOf(bytes, (byte)'U');
        bytes[at] = (byte)'V';
        var tampered = signer.Verify(Secure(v.HmacLatin1, EtfReader.Decode(bytes)));
        Assert.Equal(RejectReason.InvalidSignature, tampered.Reason);
        Assert.Contains("matches none of 1 secret(s)", tampered.Detail, StringComparison.Ordinal);

        Assert.Equal(RejectReason.InvalidSignature, Signer("another-secret-0123456789abcdefghijklmnopq").Verify(Secure(v.HmacLatin1, message)).Reason);

        var truncated = signer.Verify(Secure(v.HmacLatin1[..31], message));
        Assert.Equal(RejectReason.InvalidFormat, truncated.Reason);
        Assert.Contains("32-byte binary", truncated.Detail, StringComparison.Ordinal);

        var unsecured = new Tuple(Atom.Of("unsecured_message"), message);
        Assert.Equal(RejectReason.UnsecuredMessageRejected, signer.Verify(unsecured).Reason);
        Assert.Equal(RejectReason.UnsecuredMessageRejected, Signer().Verify(unsecured).Reason);
        var allowed = BeamSigner.FromSecrets([], allowUnsecured: true).Verify(unsecured);
        Assert.True(allowed.IsValid);
        Assert.False(allowed.IsSigned);
        Assert.Equal(message, allowed.Message);

        Assert.Equal(RejectReason.NoSecretConfigured, Signer().Verify(Secure(v.HmacLatin1, message)).Reason);

        Term[] garbage =
        [
            Atom.Of("secure_message"),
            new Tuple(Atom.Of("secure_message"), new Binary(v.HmacLatin1)),
            new Tuple(Atom.Of("secure_message"), new Binary(v.HmacLatin1), message, Atom.Of("extra")),
            new Tuple(Atom.Of("signed_message"), new Binary(v.HmacLatin1), message),
            new Tuple(Atom.Of("secure_message"), Binary.Utf8("not a signature"), message),
            new Tuple(Atom.Of("secure_message"), new Binary(v.HmacLatin1.Concat(new byte[] { 0 }).ToArray(), 1), message),
            new Tuple(Atom.Of("secure_message"), new Binary(v.HmacLatin1), Atom.Of("not_a_message")),
            new Tuple(Atom.Of("secure_message"), new Binary(v.HmacLatin1), new Tuple(Binary.Utf8("tag"), message[1])),
            new Tuple(Atom.Of("secure_message"), new List([new Integer(1)]), message),
            new Tuple(Atom.Of("unsecured_message"), Binary.Utf8("x")),
        ];
        foreach (var g in garbage)
        {
            var r = signer.Verify(g);
            Assert.Equal(RejectReason.InvalidFormat, r.Reason);
            Assert.False(string.IsNullOrEmpty(r.Detail));
        }
    }

    [Fact]
    public void Wrap_signs_with_a_secret_and_sends_unsecured_without()
    {
        var message = (Tuple)EtfReader.Decode(BeamVectors.All[5].Latin1);
        Assert.True(Signer(BeamVectors.Secret).Wrap(message).IsTagged("secure_message", 3));
        Assert.True(Signer().Wrap(message).IsTagged("unsecured_message", 2));
        Assert.Throws<InvalidOperationException>(() => Signer().Sign(message));
        var otp26 = BeamSigner.FromSecrets([BeamVectors.Secret], signingProfile: SignatureProfile.Otp26).Sign(message);
        Assert.Equal(BeamVectors.All[5].HmacUtf8, ((Binary)otp26[1]).Bytes.ToArray());
    }

    [Fact]
    public void Secrets_come_from_key_ring_options_raw()
    {
        var signer = BeamSigner.FromKeyRingOptions(new KeyRingOptions { Secret = BeamVectors.Secret, UseEnvironment = false });
        var v = BeamVectors.All[1];
        Assert.True(signer.Verify(Secure(v.HmacLatin1, EtfReader.Decode(v.Latin1))).IsValid);
        Assert.False(BeamSigner.FromKeyRingOptions(new KeyRingOptions { UseEnvironment = false }).HasSecret);
        Assert.True(BeamSigner.FromKeyRingOptions(new KeyRingOptions { UseEnvironment = false, AllowUnsigned = true }).AllowUnsecured);
    }
}

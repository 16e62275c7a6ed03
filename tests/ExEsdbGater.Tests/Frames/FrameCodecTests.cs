using System.Text;
using ExEsdbGater;
using ExEsdbGater.Tests.Catalog;
using Microsoft.Extensions.Time.Testing;

namespace ExEsdbGater.Tests.Frames;

public sealed class FrameCodecTests
{
    public static TheoryData<string> TypeNames() => Samples.TypeNames();

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Every_type_signs_verifies_and_round_trips_to_an_equal_payload(string typeName)
    {
        var ring = FrameTestKit.Ring(FrameTestKit.Secret);
        var message = Samples.Build(Samples.Type(typeName));
        var envelope = FrameTestKit.EnvelopeFor(message, "orders:x");
        var frame = FrameEncoder.Encode(ring, envelope, message);
        var result = FrameTestKit.Verifier(ring).Verify(frame, message.Instance, "orders:x");
        Assert.True(result.IsOk, result.Detail);
        Assert.Equal(message, result.Message);
        Assert.Equal(envelope, result.Envelope);
        Assert.DoesNotContain((byte)'\n', frame);
    }

    [Fact]
    public void Frames_have_the_documented_shape_and_default_kid()
    {
        var ring = FrameTestKit.Ring(FrameTestKit.Secret);
        Assert.Equal("725df36c", ring.SigningKey!.Kid);
        var m = HealthMessages.NodeHealth("gater1@host-a", NodeHealthStatus.Healthy, messageContext: Samples.Context());
        var text = Encoding.UTF8.GetString(FrameEncoder.Encode(ring, FrameTestKit.EnvelopeFor(m, "cluster:health"), m));
        Assert.Matches(@"^exg1\.725df36c\.[A-Za-z0-9_-]{43}\.\{""v"":1,""instance"":""ex_esdb_health"",""topic"":""cluster:health"",""type"":""node_health_updated"",""id"":""m1"",""node"":""gater1@host-a"",""epoch"":\d+,""seq"":1,""ts"":\d+,""payload"":\{""node"":", text);
    }

    [Fact]
    public void Events_instance_carries_application_payloads()
    {
        var ring = FrameTestKit.Ring(FrameTestKit.Secret);
        var ev = new ApplicationEvent("order_placed", JsonMap.Of(("order", 7)));
        var frame = FrameEncoder.Encode(ring, FrameTestKit.EnvelopeFor(ev, "orders:events"), ev);
        var result = FrameTestKit.Verifier(ring).Verify(frame, GaterInstance.Events, "orders:events");
        Assert.True(result.IsOk, result.Detail);
        Assert.Equal(ev, result.Message);
    }

    [Fact]
    public void Publishing_without_a_secret_fails_closed()
    {
        var m = HealthMessages.NodeHealth("n@h", NodeHealthStatus.Healthy, messageContext: Samples.Context());
        var ex = Assert.Throws<GaterSecurityException>(() => FrameEncoder.Encode(KeyRing.Empty, FrameTestKit.EnvelopeFor(m, "cluster:health"), m));
        Assert.Contains("SECRET_KEY_BASE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsigned_development_mode_round_trips_only_without_keys()
    {
        var m = HealthMessages.NodeHealth("n@h", NodeHealthStatus.Healthy, messageContext: Samples.Context());
        var frame = FrameEncoder.Encode(KeyRing.UnsignedDevelopment, FrameTestKit.EnvelopeFor(m, "cluster:health"), m);
        Assert.StartsWith("exg1.unsigned..{", Encoding.UTF8.GetString(frame), StringComparison.Ordinal);
        Assert.True(FrameTestKit.Verifier(KeyRing.UnsignedDevelopment).Verify(frame, GaterInstance.Health, "cluster:health").IsOk);
        Assert.Equal(RejectReason.UnsecuredMessageRejected, FrameTestKit.Verifier(FrameTestKit.Ring(FrameTestKit.Secret)).Verify(frame, GaterInstance.Health, "cluster:health").Reason);
        Assert.Equal(RejectReason.NoSecretConfigured, FrameTestKit.Verifier(KeyRing.Empty).Verify(frame, GaterInstance.Health, "cluster:health").Reason);
    }

    [Fact]
    public void Envelope_rules_are_enforced_when_encoding()
    {
        var ring = FrameTestKit.Ring(FrameTestKit.Secret);
        var m = HealthMessages.NodeHealth("n@h", NodeHealthStatus.Healthy, messageContext: Samples.Context());
        var good = FrameTestKit.EnvelopeFor(m, "cluster:health");
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Topic = "cluster:*" }, m));
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Topic = "a\nb" }, m));
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Id = "has space" }, m));
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Node = "bad" }, m));
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Seq = 0 }, m));
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Instance = GaterInstance.Alerts }, m));
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Type = "other" }, m));
    }

    [Fact]
    public void A_topic_and_node_that_repeat_are_written_and_checked_as_new_ones_are()
    {
        // a signing thread encodes the topic, type and node once the same string comes twice in a row, and does not
        // check again a string it holds: the bytes must not change, and any other string is still checked
        var ring = FrameTestKit.Ring(FrameTestKit.Secret);
        var topic = "caf\u00e9:<tags>&\"q\"";
        var node = "gater1@host-a";
        var m = HealthMessages.NodeHealth(node, NodeHealthStatus.Healthy, messageContext: Samples.Context());
        var envelope = FrameTestKit.EnvelopeFor(m, topic) with { Node = node };
        var plain = FrameEncoder.Encode(ring, envelope, m);
        var encodedNow = FrameEncoder.Encode(ring, envelope, m);
        var held = FrameEncoder.Encode(ring, envelope, m);
        var otherStrings = FrameEncoder.Encode(ring, envelope with { Topic = new string(topic), Node = new string(node) }, m);
        Assert.Equal(plain, encodedNow);
        Assert.Equal(plain, held);
        Assert.Equal(plain, otherStrings);
        Assert.Contains("\"topic\":\"caf\\u00E9:\\u003Ctags\\u003E\\u0026\\u0022q\\u0022\"", Encoding.UTF8.GetString(held), StringComparison.Ordinal);
        Assert.True(FrameTestKit.Verifier(ring).Verify(held, GaterInstance.Health, topic).IsOk);

        Assert.Contains("\"topic\":\"cluster:other\"", Encoding.UTF8.GetString(FrameEncoder.Encode(ring, envelope with { Topic = "cluster:other" }, m)), StringComparison.Ordinal);
        FrameEncoder.Encode(ring, envelope, m);
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, envelope with { Topic = "cluster:*" }, m));
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, envelope with { Node = "bad" }, m));
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, envelope with { Type = "Bad" }, m));
        Assert.Equal(plain, FrameEncoder.Encode(ring, envelope, m));
    }

    [Fact]
    public void A_null_topic_or_node_is_refused_on_a_thread_that_has_not_signed_before()
    {
        // a fresh thread's cache holds nothing, and nothing must not count as a string it holds
        Exception? failed = null;
        var thread = new Thread(() =>
        {
            try
            {
                var ring = FrameTestKit.Ring(FrameTestKit.Secret);
                var m = HealthMessages.NodeHealth("n@h", NodeHealthStatus.Healthy, messageContext: Samples.Context());
                var good = FrameTestKit.EnvelopeFor(m, "cluster:health");
                Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Topic = null! }, m));
                Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Node = null! }, m));
                FrameEncoder.Encode(ring, good, m);
                FrameEncoder.Encode(ring, good, m);
                FrameEncoder.Encode(ring, good, m);
                Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Topic = null! }, m));
                Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Node = null! }, m));
            }
#pragma warning disable CA1031 // reported to the test's thread below
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed = ex;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failed);
    }

    [Fact]
    public void A_topic_with_a_lone_surrogate_is_refused_and_a_pair_is_signed_as_it_stands()
    {
        // a lone surrogate has no UTF-8 form: the writer would sign U+FFFD in its place, and every receiver would find
        // the frame's topic differing from its channel's
        var ring = FrameTestKit.Ring(FrameTestKit.Secret);
        var m = HealthMessages.NodeHealth("n@h", NodeHealthStatus.Healthy, messageContext: Samples.Context());
        var good = FrameTestKit.EnvelopeFor(m, "cluster:health");
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Topic = "cluster:\ud800" }, m));
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Topic = "cluster:\udc00x" }, m));
        Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(ring, good with { Topic = "cluster:\ud800x" }, m));
        Assert.False(TopicPattern.IsValid("cluster:\ud800*"));

        var pair = "cluster:\U0001F680";
        var frames = Enumerable.Range(0, 3).Select(_ => FrameEncoder.Encode(ring, good with { Topic = pair }, m)).ToList();
        var withPair = good with { Topic = pair };
        frames.AddRange(Enumerable.Range(0, 3).Select(_ => FrameEncoder.Encode(ring, withPair, m)));
        Assert.All(frames, f => Assert.Equal(frames[0], f));
        Assert.True(FrameTestKit.Verifier(ring).Verify(frames[^1], GaterInstance.Health, pair).IsOk);
    }

    [Fact]
    public void A_bad_id_is_refused_with_the_real_rule_and_the_public_parameter_name()
    {
        var m = HealthMessages.NodeHealth("n@h", NodeHealthStatus.Healthy, messageContext: Samples.Context());
        var good = FrameTestKit.EnvelopeFor(m, "cluster:health");
        var ex = Assert.Throws<ArgumentException>(() => FrameEncoder.Encode(FrameTestKit.Ring(FrameTestKit.Secret), good with { Id = "has space" }, m));
        // a space is printable ASCII, so "printable ASCII" misstated the rule
        Assert.Contains("0x21 to 0x7E", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no spaces", ex.Message, StringComparison.Ordinal);
        Assert.Equal("envelope", ex.ParamName);
    }

    [Fact]
    public void Key_ring_refuses_short_secrets_colliding_kids_and_unsigned_with_keys()
    {
        Assert.Throws<GaterConfigurationException>(() => GaterKey.FromSecret(new string('s', 31)));
        Assert.Equal(32, GaterKey.MinSecretBytes);
        _ = GaterKey.FromSecret(new string('s', 32));
        Assert.Throws<GaterConfigurationException>(() => GaterKey.FromSecret(FrameTestKit.Secret, "bad kid"));
        Assert.Throws<GaterConfigurationException>(() => GaterKey.FromSecret(FrameTestKit.Secret, "unsigned"));
        Assert.Throws<GaterConfigurationException>(() => KeyRing.Of(GaterKey.FromSecret(FrameTestKit.Secret, "k"), GaterKey.FromSecret(FrameTestKit.Secret2, "k")));
        Assert.Throws<GaterConfigurationException>(() => KeyRing.Create(new KeyRingOptions { Secret = FrameTestKit.Secret, AllowUnsigned = true, UseEnvironment = false }));
        var ring = KeyRing.Create(new KeyRingOptions { Secret = FrameTestKit.Secret2, PreviousSecrets = [FrameTestKit.Secret], UseEnvironment = false });
        Assert.Equal(["89e35e7d", "725df36c"], ring.Keys.Select(k => k.Kid));
        Assert.Equal("89e35e7d", ring.SigningKey!.Kid);
    }

    [Fact]
    public void Rotation_new_key_signs_and_old_frames_still_verify()
    {
        var oldRing = FrameTestKit.Ring(FrameTestKit.Secret);
        var newRing = FrameTestKit.Ring(FrameTestKit.Secret2, FrameTestKit.Secret);
        var m = HealthMessages.NodeHealth("n@h", NodeHealthStatus.Healthy, messageContext: Samples.Context());
        var oldFrame = FrameEncoder.Encode(oldRing, FrameTestKit.EnvelopeFor(m, "cluster:health", id: "a"), m);
        var newFrame = FrameEncoder.Encode(newRing, FrameTestKit.EnvelopeFor(m, "cluster:health", id: "b"), m);
        var v = FrameTestKit.Verifier(newRing);
        Assert.True(v.Verify(oldFrame, GaterInstance.Health, "cluster:health").IsOk);
        Assert.True(v.Verify(newFrame, GaterInstance.Health, "cluster:health").IsOk);
        Assert.Equal(RejectReason.UnknownKey, FrameTestKit.Verifier(oldRing).Verify(newFrame, GaterInstance.Health, "cluster:health").Reason);
    }
}

[Collection(EnvironmentCollection.Name)]
public sealed class KeyRingEnvironmentTests
{
    [Fact]
    public void Environment_supplies_secret_and_previous_secrets_after_explicit_configuration()
    {
        using var env = new EnvScope(("SECRET_KEY_BASE", FrameTestKit.Secret2), ("SECRET_KEY_BASE_PREVIOUS", " " + FrameTestKit.Secret + " ,"));
        var ring = KeyRing.Create();
        Assert.Equal(["89e35e7d", "725df36c"], ring.Keys.Select(k => k.Kid));
        var explicitRing = KeyRing.Create(new KeyRingOptions { Secret = FrameTestKit.Secret });
        Assert.Equal("725df36c", explicitRing.SigningKey!.Kid);
    }

    [Fact]
    public void A_short_environment_secret_is_a_start_up_error_naming_the_variable()
    {
        using var env = new EnvScope(("SECRET_KEY_BASE", "short"), ("SECRET_KEY_BASE_PREVIOUS", null));
        var ex = Assert.Throws<GaterConfigurationException>(() => KeyRing.Create());
        Assert.Contains("SECRET_KEY_BASE", ex.Message, StringComparison.Ordinal);
        Assert.Contains("32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_secret_anywhere_gives_an_empty_ring()
    {
        using var env = new EnvScope(("SECRET_KEY_BASE", null), ("SECRET_KEY_BASE_PREVIOUS", null));
        Assert.False(KeyRing.Create().HasKeys);
        Assert.True(KeyRing.Create(new KeyRingOptions { AllowUnsigned = true }).AllowUnsigned);
    }

    [Fact]
    public void Node_name_comes_from_the_environment_and_a_bad_one_is_an_error()
    {
        using (new EnvScope((NodeName.EnvironmentVariable, "envnode@envhost")))
        {
            Assert.Equal("envnode@envhost", NodeName.Resolve());
            Assert.Equal("cfg@h", NodeName.Resolve("cfg@h"));
        }
        using (new EnvScope((NodeName.EnvironmentVariable, "bad name")))
        {
            Assert.Throws<GaterConfigurationException>(() => NodeName.Resolve());
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";
}

internal sealed class EnvScope : IDisposable
{
    private readonly (string Name, string? Old)[] _saved;

    public EnvScope(params (string Name, string? Value)[] vars)
    {
        _saved = vars.Select(v => (v.Name, Environment.GetEnvironmentVariable(v.Name))).ToArray();
        foreach (var (n, v) in vars)
        {
            Environment.SetEnvironmentVariable(n, v);
        }
    }

    public void Dispose()
    {
        foreach (var (n, v) in _saved)
        {
            Environment.SetEnvironmentVariable(n, v);
        }
    }
}

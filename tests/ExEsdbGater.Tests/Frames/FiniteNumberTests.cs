using static ExEsdbGater.Tests.Frames.FrameTestKit;

namespace ExEsdbGater.Tests.Frames;

/// <summary>Wire format section 4: every payload number, at any depth, must be a finite double — else invalid_payload.</summary>
public sealed class FiniteNumberTests
{
    private static readonly string Digits400 = "1" + new string('0', 399);

    private static string Health(string loadAvg = "0.5", string checks = "{}")
        => $"{{\"node\":\"gater1@host-a\",\"status\":\"healthy\",\"checks\":{checks},\"load_avg\":{loadAvg},\"memory_usage\":null,\"disk_usage\":null,\"timestamp\":\"2026-11-27T04:00:00.123Z\"}}";

    public static TheoryData<string, string, string> NonFinite() => new()
    {
        { "number field, exponent", "ex_esdb_health", Health(loadAvg: "1e400") },
        { "number field, negative exponent overflow", "ex_esdb_health", Health(loadAvg: "-1.5E+309") },
        { "number field, 400 digits", "ex_esdb_health", Health(loadAvg: Digits400) },
        { "inside a map", "ex_esdb_health", Health(checks: "{\"disk\":1e999}") },
        { "inside a list in a map", "ex_esdb_health", Health(checks: "{\"xs\":[1,2,1e999]}") },
        { "deep inside a map", "ex_esdb_health", Health(checks: "{\"a\":{\"b\":{\"c\":-" + Digits400 + "}}}") },
        { "application event payload", "ex_esdb_events", "{\"amount\":1e400}" },
    };

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void A_number_that_is_not_a_finite_double_makes_the_payload_invalid(string what, string instance, string payload)
    {
        var key = GaterKey.FromSecret(Secret);
        var type = instance == "ex_esdb_events" ? "order_placed" : "node_health_updated";
        var frame = SignRaw(key, Body(payload, type: type, instance: instance));
        Assert.True(GaterInstances.TryParse(instance, out var inst));
        var result = Verifier(KeyRing.Of(key)).Verify(frame, inst, "cluster:health");
        Assert.False(result.IsOk, what);
        Assert.Equal(RejectReason.InvalidPayload, result.Reason);
    }

    [Theory]
    [InlineData("1.7976931348623157e308")]
    [InlineData("-1.7976931348623157E+308")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("5e-400")] // underflows to zero: still a finite double
    [InlineData("0.000000000000000000000001")]
    public void Large_and_tiny_finite_numbers_are_accepted(string number)
    {
        var key = GaterKey.FromSecret(Secret);
        var frame = SignRaw(key, Body(Health(checks: "{\"x\":" + number + "}")));
        var result = Verifier(KeyRing.Of(key)).Verify(frame, GaterInstance.Health, "cluster:health");
        Assert.True(result.IsOk, result.Detail);
    }

    [Fact]
    public void An_earlier_check_still_wins_over_a_non_finite_number()
    {
        // order of section 5: the topic binding is checked before the payload
        var key = GaterKey.FromSecret(Secret);
        var frame = SignRaw(key, Body(Health(loadAvg: "1e400")));
        var result = Verifier(KeyRing.Of(key)).Verify(frame, GaterInstance.Health, "other:topic");
        Assert.Equal(RejectReason.TopicMismatch, result.Reason);
    }
}

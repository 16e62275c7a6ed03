namespace ExEsdbGater.Tests.Bus;

/// <summary>Every default pinned (the docs state the same figures), and bad options refused at creation, by name.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var bus = new GaterBusOptions();
        Assert.Null(bus.NodeName);
        Assert.Null(bus.Keys);
        Assert.Null(bus.Backplane);
        Assert.Null(bus.LoggerFactory);
        Assert.Equal(65_536, bus.InboundCapacity);
        Assert.Equal(64L * 1024 * 1024, bus.InboundMaxBytes);
        Assert.Equal(10_000, bus.EventQueueCapacity);

        var verifier = bus.Verifier;
        Assert.Equal(TimeSpan.FromMinutes(5), verifier.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(30), verifier.MaxSkew);
        Assert.Equal(1_000_000, verifier.ReplayCapacity);
        Assert.Null(verifier.ReplayStore);
        Assert.Equal(ReplayStoreFailureMode.Reject, verifier.ReplayStoreFailure);
        Assert.Same(TimeProvider.System, verifier.TimeProvider);
        Assert.Null(verifier.LoggerFactory);
        Assert.Equal(4096, verifier.RejectedFrameCaptureBytes);
        Assert.Equal(100, verifier.RejectedFrameCapturesPerSecond);

        var sub = new SubscriptionOptions();
        Assert.Equal(1024, sub.Capacity);
        Assert.Equal(QueueFullMode.Wait, sub.FullMode);
        Assert.False(sub.IncludeRejections);
        Assert.Null(sub.Name);

        var keys = new KeyRingOptions();
        Assert.Null(keys.Secret);
        Assert.Null(keys.SecretKid);
        Assert.Empty(keys.PreviousSecrets);
        Assert.Empty(keys.AdditionalKeys);
        Assert.True(keys.UseEnvironment);
        Assert.False(keys.AllowUnsigned);
    }

    [Theory]
    [InlineData("inbound", "GaterBusOptions.InboundCapacity")]
    [InlineData("events", "GaterBusOptions.EventQueueCapacity")]
    [InlineData("inboundBytes", "GaterBusOptions.InboundMaxBytes")]
    [InlineData("capture", "GaterBusOptions.Verifier.RejectedFrameCaptureBytes")]
    [InlineData("age", "GaterBusOptions.Verifier.MaxAge")]
    [InlineData("skew", "GaterBusOptions.Verifier.MaxSkew")]
    [InlineData("replay", "GaterBusOptions.Verifier.ReplayCapacity")]
    public void A_bad_bus_option_fails_creation_naming_it(string which, string name)
    {
        var o = new GaterBusOptions { NodeName = "n@test", Keys = KeyRing.Empty };
        o = which switch
        {
            "inbound" => o with { InboundCapacity = 0 },
            "events" => o with { EventQueueCapacity = -1 },
            "inboundBytes" => o with { InboundMaxBytes = 1000 },
            "capture" => o with { Verifier = new VerifierOptions { RejectedFrameCaptureBytes = -1 } },
            "age" => o with { Verifier = new VerifierOptions { MaxAge = TimeSpan.FromSeconds(-1) } },
            "skew" => o with { Verifier = new VerifierOptions { MaxSkew = TimeSpan.FromSeconds(-1) } },
            _ => o with { Verifier = new VerifierOptions { ReplayCapacity = 0 } },
        };
        var ex = Assert.Throws<GaterConfigurationException>(() => GaterBus.Create(o));
        Assert.StartsWith(name + " must", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_verifier_option_fails_the_verifier_naming_it()
    {
        var ex = Assert.Throws<GaterConfigurationException>(() => new FrameVerifier(KeyRing.Empty, new VerifierOptions { ReplayCapacity = 0 }));
        Assert.StartsWith("VerifierOptions.ReplayCapacity must be at least 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_subscription_option_fails_the_subscription_naming_it()
    {
        await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = "n@test", Keys = KeyRing.Empty });
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await bus.OpenStreamAsync(GaterInstance.Health, "x", new SubscriptionOptions { Capacity = 0 }));
        Assert.Contains("SubscriptionOptions.Capacity", ex.Message, StringComparison.Ordinal);
        ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await bus.OpenStreamAsync(GaterInstance.Health, "x", new SubscriptionOptions { FullMode = (QueueFullMode)42 }));
        Assert.Contains("SubscriptionOptions.FullMode", ex.Message, StringComparison.Ordinal);
    }
}

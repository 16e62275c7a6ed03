namespace ExEsdbGater.Redis.Tests.Durable;

/// <summary>Durable defaults pinned, and bad durable options refused by name before anything connects or subscribes.</summary>
public sealed class DurableOptionsTests
{
    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var o = new RedisDurableOptions { ConnectionString = "x" };
        Assert.Equal("exg:", o.Prefix);
        Assert.Equal(1_000_000, o.MaxLength);
        Assert.Null(o.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(1), o.ReadFallbackInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), o.ConnectTimeout);
        var s = new SubscriptionOptions();
        Assert.Null(s.Group);
        Assert.Null(s.From);
        Assert.Null(s.Until);
        Assert.Equal(5, s.MaxDeliveryAttempts);
        Assert.Equal(TimeSpan.FromSeconds(30), s.ClaimIdleTime);
        Assert.Equal("exg:stream:{ex_esdb_audit}", RedisDurableTransport.StreamKey("exg:", GaterInstance.Audit));
        Assert.Equal("exg:stream:{ex_esdb_audit}:dead", RedisDurableTransport.DeadLetterKey("exg:", GaterInstance.Audit));
    }

    [Theory]
    [InlineData("", "RedisDurableOptions.ConnectionString")]
    [InlineData("maxlength", "RedisDurableOptions.MaxLength")]
    [InlineData("maxage", "RedisDurableOptions.MaxAge")]
    [InlineData("fallback", "RedisDurableOptions.ReadFallbackInterval")]
    public async Task A_bad_option_fails_at_once_naming_it(string bad, string name)
    {
        var o = new RedisDurableOptions { ConnectionString = bad.Length == 0 ? "" : "127.0.0.1:1" };
        o = bad switch
        {
            "maxlength" => o with { MaxLength = 0 },
            "maxage" => o with { MaxAge = TimeSpan.Zero },
            "fallback" => o with { ReadFallbackInterval = TimeSpan.Zero },
            _ => o,
        };
        var ex = await Assert.ThrowsAsync<GaterConfigurationException>(() => RedisDurableTransport.ConnectAsync(o));
        Assert.StartsWith(name, ex.Message, StringComparison.Ordinal);
    }
}

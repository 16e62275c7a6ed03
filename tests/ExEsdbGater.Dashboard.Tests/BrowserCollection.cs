namespace ExEsdbGater.Dashboard.Tests;

/// <summary>The browser tests share one Chromium.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Chromium>
{
    public const string Name = "browser";
}

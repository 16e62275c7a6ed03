using Microsoft.Playwright;

namespace ExEsdbGater.Dashboard.Tests;

/// <summary>Debian's Chromium driven by Playwright: no browser download, a fresh profile, stopped after the tests.</summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";
    private readonly string _profile = Path.Combine(Path.GetTempPath(), "gater-chromium-" + Guid.NewGuid().ToString("N"));
    private IPlaywright? _playwright;

    public IBrowserContext Context { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assert.True(File.Exists(Executable), $"{Executable} is missing: install Debian's chromium (./test.sh does)");
        _playwright = await Playwright.CreateAsync();
        Context = await _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
    }

    /// <summary>A new page with no cookies left from an earlier test, recording console errors and page errors.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(string url)
    {
        await Context.ClearCookiesAsync();
        var page = await Context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(m.Text);
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (errors)
            {
                errors.Add(e);
            }
        };
        await page.GotoAsync(url);
        // the live connection is up: what the bus carries from now on reaches the page
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live", new() { Timeout = 10_000 });
        return (page, errors);
    }

    public async Task DisposeAsync()
    {
        if (Context is not null)
        {
            await Context.CloseAsync();
        }
        _playwright?.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be letting go of its profile; it is in the temporary folder
        }
    }
}

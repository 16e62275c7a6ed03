using System.Net;

namespace ExEsdbGater.Dashboard.Tests;

/// <summary>Who may see the dashboard: loopback by default, the token holder when a token is set.</summary>
public sealed class AccessTests
{
    private const string Token = "test-token-0123456789abcdef";

    [Fact]
    public async Task With_a_token_every_request_needs_it()
    {
        await using var server = await DashboardServer.StartAsync(o => o.AccessToken = Token);
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(server.Url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(server.Url + "?token=wrong-token-0123456789abcdef")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(server.Url + "app.js")).StatusCode);

        using var withQuery = await http.GetAsync(server.Url + "?token=" + Token);
        Assert.Equal(HttpStatusCode.OK, withQuery.StatusCode);
        Assert.Contains("ExEsdbGater dashboard", await withQuery.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // the page's own requests then carry it as a cookie
        var cookie = Assert.Single(withQuery.Headers.GetValues("Set-Cookie"), c => c.StartsWith("gater_token=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        using var byCookie = new HttpRequestMessage(HttpMethod.Get, server.Url + "app.js");
        byCookie.Headers.Add("Cookie", "gater_token=" + Token);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(byCookie)).StatusCode);
        using var byHeader = new HttpRequestMessage(HttpMethod.Get, server.Url);
        byHeader.Headers.Add("X-Gater-Token", Token);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(byHeader)).StatusCode);
    }

    [Fact]
    public async Task Without_a_token_loopback_is_served()
    {
        await using var server = await DashboardServer.StartAsync();
        using var http = new HttpClient();
        using var page = await http.GetAsync(server.Url);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_non_loopback_address_the_token_is_required()
    {
        // a documentation address (TEST-NET-1), never contacted: the server listens on loopback and is told it was
        // reached on that address, so the check is exercised without any traffic leaving loopback
        var address = IPAddress.Parse("192.0.2.10");
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false });
        await using (var open = await DashboardServer.StartAsync(seenAs: address))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(open.Url)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(open.Url + "events")).StatusCode);
        }
        await using var guarded = await DashboardServer.StartAsync(o => o.AccessToken = Token, address);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(guarded.Url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(guarded.Url + "?token=" + Token)).StatusCode);
    }

    [Fact]
    public async Task A_short_token_is_refused_at_start()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => DashboardServer.StartAsync(o => o.AccessToken = "short"));
        Assert.Contains("AccessToken must be at least 16 characters", ex.ToString(), StringComparison.Ordinal);
    }
}

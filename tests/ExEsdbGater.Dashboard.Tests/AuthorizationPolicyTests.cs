using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExEsdbGater.Dashboard.Tests;

/// <summary>Mounted in an app with its own authorization policy: the policy decides, on any address.</summary>
public sealed class AuthorizationPolicyTests
{
    [Fact]
    public async Task The_apps_policy_guards_the_dashboard_on_a_non_loopback_address()
    {
        // a documentation address (TEST-NET-1), never contacted: see AccessTests
        var address = IPAddress.Parse("192.0.2.10");
        await using var bus = GaterBus.Create(new GaterBusOptions { NodeName = "dashboard@test", Keys = KeyRing.Empty });
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        builder.Services.AddSingleton(bus);
        builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>("Test", null);
        builder.Services.AddAuthorizationBuilder().AddPolicy("ops", p => p.RequireClaim("role", "ops"));
        builder.Services.AddExEsdbGaterDashboard(o => o.AuthorizationPolicy = "ops");
        await using var app = builder.Build();
        app.Use((ctx, next) =>
        {
            ctx.Connection.LocalIpAddress = address;
            ctx.Connection.RemoteIpAddress = address;
            return next(ctx);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapExEsdbGaterDashboard("/gater");
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        var url = $"http://127.0.0.1:{port}/gater/";
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get(http, url, "dev")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(http, url, "ops")).StatusCode);
        await app.StopAsync();
    }

    private static Task<HttpResponseMessage> Get(HttpClient http, string url, string role)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Test-Role", role);
        return http.SendAsync(request);
    }

    /// <summary>Test-only authentication: the role named in a header.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-Test-Role"].ToString() is not { Length: > 0 } role)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }
            var identity = new ClaimsIdentity([new Claim("role", role)], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}

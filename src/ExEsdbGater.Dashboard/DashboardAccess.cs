using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ExEsdbGater.Dashboard;

/// <summary>Who may see the dashboard: the token holder when there is a token, else loopback only (or the app's policy).</summary>
internal static class DashboardAccess
{
    public const string QueryName = "token";
    public const string CookieName = "gater_token";
    public const string HeaderName = "X-Gater-Token";

    /// <summary>Null when the request may go on, else the status to answer with.</summary>
    public static int? Check(HttpContext ctx, GaterDashboardOptions options, string cookiePath)
    {
        if (options.AccessToken is { } token)
        {
            if (Matches(ctx.Request.Query[QueryName].ToString(), token))
            {
                // the page's own requests (script, events, acknowledge) then carry it as a cookie, not in URLs
                ctx.Response.Cookies.Append(CookieName, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = cookiePath, Secure = ctx.Request.IsHttps });
                return null;
            }
            return Matches(ctx.Request.Cookies[CookieName], token) || Matches(ctx.Request.Headers[HeaderName].ToString(), token)
                ? null : StatusCodes.Status401Unauthorized;
        }
        if (options.AuthorizationPolicy is not null)
        {
            return null; // the app's policy decides (RequireAuthorization on the group)
        }
        return IsLoopback(ctx.Connection.LocalIpAddress) && IsLoopback(ctx.Connection.RemoteIpAddress) ? null : StatusCodes.Status403Forbidden;
    }

    /// <summary>True for an address that only this machine can reach.</summary>
    public static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static bool Matches(string? given, string token)
        => !string.IsNullOrEmpty(given) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token));
}

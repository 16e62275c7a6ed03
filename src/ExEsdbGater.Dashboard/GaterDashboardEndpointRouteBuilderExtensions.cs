using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ExEsdbGater.Dashboard;

/// <summary>Maps the dashboard's page and endpoints.</summary>
public static class GaterDashboardEndpointRouteBuilderExtensions
{
    // the page loads only its own script and style, and talks only to its own server
    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Serves the dashboard under <paramref name="prefix"/>: the page (<c>prefix/</c>), its script and style, its
    /// live updates (server-sent events) and the acknowledge POST. Needs
    /// <see cref="GaterDashboardServiceCollectionExtensions.AddExEsdbGaterDashboard"/>.
    /// </summary>
    /// <param name="endpoints">The app's endpoints.</param>
    /// <param name="prefix">Where the dashboard lives, e.g. <c>/gater</c>.</param>
    /// <returns>The group of the dashboard's endpoints, to add conventions to.</returns>
    /// <exception cref="InvalidOperationException">AddExEsdbGaterDashboard was not called.</exception>
    public static RouteGroupBuilder MapExEsdbGaterDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/gater")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (endpoints.ServiceProvider.GetService<DashboardAggregator>() is null)
        {
            throw new InvalidOperationException("MapExEsdbGaterDashboard needs services.AddExEsdbGaterDashboard() first.");
        }
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<GaterDashboardOptions>>().Value;
        prefix = "/" + prefix.Trim('/');
        var root = prefix == "/" ? "/" : prefix + "/";
        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "no-store";
            return DashboardAccess.Check(http, options, root) is { } status ? Results.StatusCode(status) : await next(context).ConfigureAwait(false);
        });
        if (options.AuthorizationPolicy is { } policy)
        {
            group.RequireAuthorization(policy);
        }
        group.MapGet("/", (HttpContext ctx) =>
        {
            if (!ctx.Request.Path.Value!.EndsWith('/'))
            {
                // the page's links are relative: it must be served from prefix/ (routing matches both)
                return Results.Redirect(root + ctx.Request.QueryString);
            }
            ctx.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            ctx.Response.Headers.XFrameOptions = "DENY";
            return Results.Bytes(DashboardAssets.Page, "text/html; charset=utf-8");
        });
        group.MapGet("/app.js", () => Results.Bytes(DashboardAssets.Js, "text/javascript; charset=utf-8"));
        group.MapGet("/app.css", () => Results.Bytes(DashboardAssets.Css, "text/css; charset=utf-8"));
        group.MapGet("/antiforgery", (HttpContext ctx, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(ctx);
            return Results.Json(new Dictionary<string, string?> { ["field"] = tokens.FormFieldName, ["token"] = tokens.RequestToken });
        });
        group.MapGet("/events", StreamAsync);
        group.MapPost("/alerts/ack", AcknowledgeAsync).DisableAntiforgery(); // validated in the handler, with its own answer
        return group;
    }

    private static async Task StreamAsync(HttpContext ctx, DashboardAggregator aggregator, IHostApplicationLifetime lifetime, TimeProvider time)
    {
        ctx.Response.Headers.ContentType = "text/event-stream";
        ctx.Response.Headers["X-Accel-Buffering"] = "no";
        // a page left open must not hold the app's shutdown for the host's whole timeout
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, lifetime.ApplicationStopping);
        var interval = aggregator.Options.UpdateInterval;
        // at least once a second even when nothing changed: ages and staleness move with the clock
        var quiet = Math.Max(1, (int)(TimeSpan.FromSeconds(1) / interval));
        using var timer = new PeriodicTimer(interval, time);
        var body = ctx.Response.Body;
        var sent = -1L;
        var ticks = 0;
        var prefix = "data: "u8.ToArray();
        var suffix = "\n\n"u8.ToArray();
        try
        {
            do
            {
                var version = aggregator.Version;
                if (version != sent || ++ticks >= quiet)
                {
                    ticks = 0;
                    sent = version;
                    await body.WriteAsync(prefix, stop.Token).ConfigureAwait(false);
                    await body.WriteAsync(aggregator.Snapshot(), stop.Token).ConfigureAwait(false);
                    await body.WriteAsync(suffix, stop.Token).ConfigureAwait(false);
                    await body.FlushAsync(stop.Token).ConfigureAwait(false);
                }
            }
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the page left or the app is stopping
        }
    }

    private static async Task<IResult> AcknowledgeAsync(HttpContext ctx, DashboardAggregator aggregator, IAntiforgery antiforgery)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(ctx).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Text("missing or invalid antiforgery token", statusCode: StatusCodes.Status400BadRequest);
        }
        var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted).ConfigureAwait(false);
        var alertId = form["alertId"].ToString();
        // only alerts the dashboard has seen: the page cannot make the server sign acks for anything else
        if (aggregator.AlertTopic(alertId) is not { } topic)
        {
            return Results.Text("unknown alert", statusCode: StatusCodes.Status404NotFound);
        }
        var bus = aggregator.Bus;
        var ack = AlertMessages.AlertAck(alertId, aggregator.Options.AckBy, messageContext: bus.Context);
        await bus.BroadcastAsync(topic, ack, ctx.RequestAborted).ConfigureAwait(false);
        return Results.NoContent();
    }

}

using ExEsdbGater.Hosting.Bridges;
using ExEsdbGater.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ExEsdbGater.Hosting;

/// <summary>Backplanes, DI handlers and bridges for a bus registered by <c>AddExEsdbGater</c>.</summary>
public static class GaterBuilderExtensions
{
    /// <summary>
    /// Gives the bus a transport, connected when the host starts (before any other hosted service) and disposed
    /// after the drain when it stops. This is how transports from other packages plug in.
    /// </summary>
    /// <param name="builder">The bus's builder.</param>
    /// <param name="name">The transport's name for logs and health data.</param>
    /// <param name="connect">Connects; its exception fails the host's start.</param>
    /// <exception cref="InvalidOperationException">The bus already has a backplane.</exception>
    public static IGaterBuilder AddBackplane(this IGaterBuilder builder, string name, Func<IServiceProvider, CancellationToken, Task<IGaterBackplane>> connect)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(connect);
        GaterBuilder.SetupOf(builder).SetBackplane(name, connect);
        return builder;
    }

    /// <summary>
    /// Carries the bus across processes through Redis pub/sub, configured from <c>ExEsdbGater:Redis</c>
    /// (<c>ConnectionString</c> required, <c>Prefix</c>, <c>ConnectTimeout</c>, <c>BatchFrames</c>, <c>ReceiveBacklogMaxBytes</c>).
    /// </summary>
    /// <param name="builder">The bus's builder.</param>
    /// <param name="configure">Settings applied after the configuration section.</param>
    public static IGaterBuilder AddRedisBackplane(this IGaterBuilder builder, Action<GaterRedisSettings>? configure = null)
    {
        var setup = GaterBuilder.SetupOf(builder);
        if (configure is not null)
        {
            builder.Services.Configure<GaterHostOptions>(setup.Name, o => configure(o.Redis));
        }
        setup.UsesRedis = true;
        return builder.AddBackplane("redis", async (sp, ct) =>
        {
            var o = sp.GetRequiredService<IOptionsMonitor<GaterHostOptions>>().Get(setup.Name).Redis;
            return await RedisBackplane.ConnectAsync(new RedisBackplaneOptions
            {
                ConnectionString = o.ConnectionString!,
                Prefix = o.Prefix,
                ConnectTimeout = o.ConnectTimeout,
                BatchFrames = o.BatchFrames,
                ReceiveBacklogMaxBytes = o.ReceiveBacklogMaxBytes,
                LoggerFactory = sp.GetService<ILoggerFactory>(),
            }, ct).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Subscribes <typeparamref name="THandler"/> (an <see cref="IGaterHandler{T}"/> of exactly one payload type) to a
    /// topic or pattern when the bus starts. It is resolved in a new scope for every message and disposed with it; its
    /// queue is <see cref="GaterHostOptions.Instances"/>' entry for its instance, else <see cref="GaterHostOptions.Handlers"/>,
    /// unless <paramref name="options"/> says otherwise. Registered as scoped unless already registered.
    /// </summary>
    /// <exception cref="ArgumentException"><typeparamref name="THandler"/> handles no payload type, or several (use the two-parameter overload).</exception>
    public static IGaterBuilder AddHandler<THandler>(this IGaterBuilder builder, string topicPattern, SubscriptionOptions? options = null)
        where THandler : class
    {
        var handled = typeof(THandler).GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IGaterHandler<>)).ToArray();
        if (handled.Length != 1)
        {
            throw new ArgumentException($"{typeof(THandler).Name} must implement IGaterHandler<T> for exactly one payload type (it has {handled.Length}); name it: AddHandler<{typeof(THandler).Name}, TMessage>(…).", nameof(THandler));
        }
        var add = typeof(GaterBuilderExtensions).GetMethod(nameof(AddTypedHandler), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(typeof(THandler), handled[0].GetGenericArguments()[0]);
        add.Invoke(null, [builder, topicPattern, options]);
        return builder;
    }

    /// <summary>Like <see cref="AddHandler{THandler}"/>, for a handler of <typeparamref name="TMessage"/> among others.</summary>
    public static IGaterBuilder AddHandler<THandler, TMessage>(this IGaterBuilder builder, string topicPattern, SubscriptionOptions? options = null)
        where THandler : class, IGaterHandler<TMessage>
        where TMessage : GaterMessage
    {
        AddTypedHandler<THandler, TMessage>(builder, topicPattern, options);
        return builder;
    }

    /// <summary>
    /// Publishes every health report of the host's health checks (<c>AddHealthChecks()</c>) as a
    /// <see cref="NodeHealth"/> on <c>cluster:health</c> and, per check, a <see cref="ComponentHealth"/> and a
    /// <see cref="HealthCheck"/> on <c>&lt;store&gt;:health</c>; at most one report per <see cref="GaterHealthBridgeOptions.MinInterval"/>
    /// unless the overall status changed.
    /// </summary>
    public static IGaterBuilder AddHealthBridge(this IGaterBuilder builder, Action<GaterHealthBridgeOptions>? configure = null)
    {
        var setup = GaterBuilder.SetupOf(builder);
        var options = Configured(configure);
        HealthBridge? bridge = null;
        setup.AddBridge("health", (sp, runtime) => bridge = new HealthBridge(runtime, options, sp));
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton<IHealthCheckPublisher>(sp => new BridgePublisher(() => Started(sp, setup, ref bridge)));
        return builder;
    }

    /// <summary>
    /// Publishes the host's log entries at or above <see cref="GaterLogBridgeOptions.MinimumLevel"/> as
    /// <see cref="LogEntry"/> messages (structured state as metadata), through a bounded queue at a bounded rate.
    /// The library's own logs (categories <c>ExEsdbGater.Bus</c>, <c>.FrameVerifier</c>, <c>.Redis</c>, <c>.Hosting</c>), and anything logged on the publishing flow, never come back in.
    /// </summary>
    public static IGaterBuilder AddLogBridge(this IGaterBuilder builder, Action<GaterLogBridgeOptions>? configure = null)
    {
        var setup = GaterBuilder.SetupOf(builder);
        var options = Configured(configure);
        GaterOptionsCheck.LogBridge(options);
        // the provider exists before the bus (the logger factory needs it); it queues until the bus starts
        var provider = new LogBridge(options);
        setup.AddBridge("logs", (_, runtime) => provider.Attach(runtime));
        builder.Services.AddSingleton<ILoggerProvider>(provider);
        return builder;
    }

    /// <summary>
    /// Publishes measurements every <see cref="GaterMetricsBridgeOptions.Interval"/>: process CPU and memory as
    /// <see cref="ResourceUsage"/>, GC as <see cref="PerformanceMetric"/>, and the instruments of chosen meters —
    /// counters as <see cref="ThroughputMetric"/>, histograms in ms or s as <see cref="LatencyMetric"/>, the rest as
    /// <see cref="PerformanceMetric"/> — at most <see cref="GaterMetricsBridgeOptions.MaxMessagesPerInterval"/> each time.
    /// </summary>
    public static IGaterBuilder AddMetricsBridge(this IGaterBuilder builder, Action<GaterMetricsBridgeOptions>? configure = null)
    {
        var options = Configured(configure);
        GaterOptionsCheck.MetricsBridge(options);
        GaterBuilder.SetupOf(builder).AddBridge("metrics", (_, runtime) => new MetricsBridge(runtime, options));
        return builder;
    }

    /// <summary>
    /// Publishes <see cref="NodeLifecycle"/> on <c>node_lifecycle</c>: <c>joining</c> when the bus has connected,
    /// <c>joined</c> when the host has started, <c>leaving</c> when it starts stopping and <c>left</c> before the drain.
    /// The cluster size is the nodes this one has seen join and not leave, itself included.
    /// </summary>
    public static IGaterBuilder AddLifecycleBridge(this IGaterBuilder builder, Action<GaterLifecycleBridgeOptions>? configure = null)
    {
        var options = Configured(configure);
        GaterBuilder.SetupOf(builder).AddBridge("lifecycle", (sp, runtime) => new LifecycleBridge(runtime, options, sp));
        return builder;
    }

    /// <summary>
    /// Raises a <see cref="SystemAlert"/> when a health check turns unhealthy (or degraded), and a
    /// <see cref="MetricAlert"/> when its data carries <c>value</c> and <c>threshold</c>. Follows the catalog's ack
    /// flow: an <see cref="AlertAck"/> for the alert's id from anyone marks it acknowledged; when the check is healthy
    /// again, this node acknowledges it itself with a resolution. At most <see cref="GaterAlertBridgeOptions.MaxAlertsPerMinute"/>.
    /// </summary>
    public static IGaterBuilder AddAlertBridge(this IGaterBuilder builder, Action<GaterAlertBridgeOptions>? configure = null)
    {
        var setup = GaterBuilder.SetupOf(builder);
        var options = Configured(configure);
        GaterOptionsCheck.AlertBridge(options);
        AlertBridge? bridge = null;
        setup.AddBridge("alerts", (_, runtime) => bridge = new AlertBridge(runtime, options));
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton<IHealthCheckPublisher>(sp => new BridgePublisher(() => Started(sp, setup, ref bridge)));
        return builder;
    }

    private static T Configured<T>(Action<T>? configure)
        where T : new()
    {
        var options = new T();
        configure?.Invoke(options);
        return options;
    }

    // The bridge is made with its bus's runtime; resolving the runtime makes it.
    private static IHealthCheckPublisher? Started<TBridge>(IServiceProvider sp, GaterBusSetup setup, ref TBridge? bridge)
        where TBridge : class, IHealthCheckPublisher
    {
        sp.GetRequiredKeyedService<GaterBusRuntime>(setup.Name);
        return bridge;
    }

    private static void AddTypedHandler<THandler, TMessage>(IGaterBuilder builder, string topicPattern, SubscriptionOptions? options)
        where THandler : class, IGaterHandler<TMessage>
        where TMessage : GaterMessage
    {
        if (!TopicPattern.IsValid(topicPattern))
        {
            throw new ArgumentException($"'{topicPattern}' is not a valid topic or pattern (1-255 UTF-8 bytes, no control characters).", nameof(topicPattern));
        }
        var setup = GaterBuilder.SetupOf(builder);
        builder.Services.TryAddScoped<THandler>();
        var instance = GaterBus.InstanceOf<TMessage>();
        var describe = $"{typeof(THandler).Name}<{typeof(TMessage).Name}> {topicPattern}";
        setup.Handlers.Add(new HandlerRegistration(describe, instance, (sp, bus, queue, ct) =>
        {
            var scopes = sp.GetRequiredService<IServiceScopeFactory>();
            return bus.SubscribeAsync(instance, topicPattern, async (delivery, token) =>
            {
                if (delivery.Message is not TMessage message)
                {
                    return;
                }
                var scope = scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    var handler = scope.ServiceProvider.GetRequiredService<THandler>();
                    await handler.HandleAsync(message, delivery.Envelope!, token).ConfigureAwait(false);
                }
            }, queue, ct);
        })
        { Options = options });
    }
}

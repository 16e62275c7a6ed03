using System.Collections.Concurrent;
using ExEsdbGater.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ExEsdbGater.Hosting.Tests;

/// <summary>Real generic hosts built as a service would build them, with settings given as configuration.</summary>
internal static class TestHosts
{
    public const string Secret = "hosting-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    public static IHost Build(IDictionary<string, string?> settings, Action<HostApplicationBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", ApplicationName = "hosting-tests", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        configure(builder);
        return builder.Build();
    }

    public static Dictionary<string, string?> Settings(string node, string? redis = null, params (string Key, string? Value)[] more)
    {
        var d = new Dictionary<string, string?> { ["ExEsdbGater:NodeName"] = node, ["ExEsdbGater:Secret"] = Secret };
        if (redis is not null)
        {
            d["ExEsdbGater:Redis:ConnectionString"] = redis;
            // one prefix per test run: tests in parallel never see each other's frames
            d["ExEsdbGater:Redis:Prefix"] = "t" + Guid.NewGuid().ToString("N")[..8] + ":";
        }
        foreach (var (k, v) in more)
        {
            d[k] = v;
        }
        return d;
    }

    public static Task Until(Func<bool> condition, string what, int seconds = 15) => Waiting.UntilAsync(condition, what, TimeSpan.FromSeconds(seconds));
}

/// <summary>What a host's DI handlers received, in order.</summary>
internal sealed class Inbox
{
    public ConcurrentQueue<(GaterMessage Message, Envelope Envelope)> Items { get; } = new();

    public IEnumerable<T> Of<T>() => Items.Select(i => i.Message).OfType<T>();

    public IEnumerable<(T Message, Envelope Envelope)> With<T>() => Items.Where(i => i.Message is T).Select(i => ((T)(object)i.Message, i.Envelope));
}

/// <summary>A DI handler that records what it gets into the host's <see cref="Inbox"/>.</summary>
internal sealed class Collect<T>(Inbox inbox) : IGaterHandler<T>
    where T : GaterMessage
{
    public ValueTask HandleAsync(T message, Envelope envelope, CancellationToken cancellationToken)
    {
        inbox.Items.Enqueue((message, envelope));
        return ValueTask.CompletedTask;
    }
}

internal static class InboxExtensions
{
    public static IGaterBuilder Collect<T>(this IGaterBuilder builder, string pattern)
        where T : GaterMessage
    {
        builder.Services.TryAddSingleton<Inbox>();
        return builder.AddHandler<Collect<T>>(pattern);
    }
}

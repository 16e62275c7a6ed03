using System.Reflection;

namespace ExEsdbGater.Testing;

/// <summary>Valid messages to publish in tests: one of every catalog type, built through the types' own factories.</summary>
public static class SampleMessages
{
    /// <summary>The node the samples name as their origin.</summary>
    public const string Node = "sample@test-host";

    /// <summary>One message of every catalog payload type, plus one <see cref="ApplicationEvent"/>.</summary>
    public static IReadOnlyList<GaterMessage> OnePerType()
        => [.. MessageCatalog.Types.Select(Build), new ApplicationEvent("order_placed", JsonMap.Of(("n", 1)))];

    /// <summary>A healthy <see cref="NodeHealth"/> on the health instance; <paramref name="load"/> tells samples apart.</summary>
    public static NodeHealth Health(double load = 0.1, string node = "a@h")
        => HealthMessages.NodeHealth(node, NodeHealthStatus.Healthy, loadAvg: load, messageContext: new MessageContext(Node));

    private static GaterMessage Build(MessageTypeInfo type)
    {
        var factory = MessageCatalog.Modules.Single(m => m.Name == type.Module).FactoryClass
            .GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.ReturnType == type.ClrType && m.Name != "Validate");
        var args = factory.GetParameters().Select(p => p.HasDefaultValue && p.ParameterType != typeof(MessageContext) ? p.DefaultValue : ArgumentFor(p)).ToArray();
        return (GaterMessage)factory.Invoke(null, args)!;
    }

    private static object? ArgumentFor(ParameterInfo p)
    {
        var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        var name = p.Name!;
        return type switch
        {
            _ when type == typeof(string) => name.Contains("node", StringComparison.OrdinalIgnoreCase) ? "arg@host-a" : "arg_" + name,
            _ when type == typeof(long) => name switch { "durationMs" => 2000L, "count" => 10L, _ => 7L },
            _ when type == typeof(double) => 0.25,
            _ when type == typeof(bool) => true,
            _ when type == typeof(JsonMap) => name == "logCounts" ? JsonMap.Of(("info", 3), ("error", 2)) : JsonMap.Of(("k", "v1"), ("n", 1)),
            _ when type == typeof(ValueList<string>) => new ValueList<string>(["a@h", "b@h"]),
            _ when type == typeof(ValueList<JsonMap>) => new ValueList<JsonMap>([JsonMap.Of(("error", "boom"))]),
            _ when type == typeof(JsonAny) => JsonAny.From("x"),
            _ when type == typeof(DateTimeOffset) => new DateTimeOffset(2025, 1, 2, 3, 4, 5, 6, TimeSpan.Zero),
            _ when type == typeof(MessageContext) => new MessageContext(Node),
            _ when type.IsEnum => Enum.GetValues(type).GetValue(Enum.GetValues(type).Length - 1),
            _ => throw new InvalidOperationException($"No sample for {type.Name} ({name})"),
        };
    }
}

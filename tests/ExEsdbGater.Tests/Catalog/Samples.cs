using System.Reflection;
using System.Text.Json;
using ExEsdbGater;
using Microsoft.Extensions.Time.Testing;

namespace ExEsdbGater.Tests.Catalog;

/// <summary>Builds every payload type through its factory with known inputs.</summary>
internal static class Samples
{
    public const string Self = "self@test-host";
    public static readonly DateTimeOffset Clock = new(2026, 11, 27, 4, 5, 6, TimeSpan.Zero);
    public static readonly DateTimeOffset ClockNow = Clock.AddTicks(1_234_567); // .1234567 s
    public static readonly DateTimeOffset Truncated = Clock.AddMilliseconds(123);

    public static MessageContext Context() => new(Self, new FakeTimeProvider(ClockNow));

    public static MethodInfo FactoryOf(MessageTypeInfo t)
        => MessageCatalog.Modules.Single(m => m.Name == t.Module).FactoryClass
            .GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.ReturnType == t.ClrType && m.Name != "Validate");

    public static object? ArgumentFor(ParameterInfo p, bool alternative = false)
    {
        var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        var name = p.Name!;
        if (type == typeof(string))
        {
            return name.Contains("node", StringComparison.OrdinalIgnoreCase) ? (alternative ? "other@host-b" : "arg@host-a") : (alternative ? "alt_" : "arg_") + name;
        }
        if (type == typeof(long))
        {
            return name switch { "durationMs" => 2000L, "count" => 10L, _ => alternative ? 42L : 7L };
        }
        if (type == typeof(double))
        {
            return alternative ? 0.75 : 0.25;
        }
        if (type == typeof(bool))
        {
            return !alternative;
        }
        if (type == typeof(JsonMap))
        {
            return name == "logCounts" ? JsonMap.Of(("info", 3), ("error", 2)) : JsonMap.Of(("k", alternative ? "v2" : "v1"), ("n", 1));
        }
        if (type == typeof(ValueList<string>))
        {
            return new ValueList<string>(alternative ? ["x@h"] : ["a@h", "b@h"]);
        }
        if (type == typeof(ValueList<JsonMap>))
        {
            return new ValueList<JsonMap>([JsonMap.Of(("error", "boom"))]);
        }
        if (type == typeof(JsonAny))
        {
            return JsonAny.From(alternative ? "alt" : "x");
        }
        if (type == typeof(DateTimeOffset))
        {
            return new DateTimeOffset(2025, 1, 2, 3, 4, 5, 6, TimeSpan.Zero);
        }
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return values.GetValue(values.Length - 1);
        }
        if (type == typeof(MessageContext))
        {
            return Context();
        }
        throw new InvalidOperationException($"No sample for {type.Name}");
    }

    /// <summary>Calls the factory with sample required arguments, the given options, and the test context.</summary>
    public static GaterMessage Build(MessageTypeInfo t, IDictionary<string, object?>? options = null)
    {
        var factory = FactoryOf(t);
        var args = factory.GetParameters().Select(p =>
            p.ParameterType == typeof(MessageContext) ? Context()
            : options is not null && options.TryGetValue(p.Name!, out var o) ? o
            : p.HasDefaultValue ? null
            : ArgumentFor(p)).ToArray();
        return (GaterMessage)factory.Invoke(null, args)!;
    }

    public static IEnumerable<GaterMessage> OnePerType() => MessageCatalog.Types.Select(t => Build(t));

    public static TheoryData<string> TypeNames()
    {
        var d = new TheoryData<string>();
        foreach (var t in MessageCatalog.Types)
        {
            d.Add(t.Name);
        }
        return d;
    }

    public static MessageTypeInfo Type(string name) => MessageCatalog.Types.Single(t => t.Name == name);

    public static string Snake(string s) => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.TrimStart('@'));
}

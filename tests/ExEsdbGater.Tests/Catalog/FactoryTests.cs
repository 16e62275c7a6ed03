using System.Reflection;
using System.Text.RegularExpressions;
using ExEsdbGater;

namespace ExEsdbGater.Tests.Catalog;

public sealed class FactoryTests
{
    public static TheoryData<string> TypeNames() => Samples.TypeNames();

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Factory_applies_every_catalog_default(string typeName)
    {
        var t = Samples.Type(typeName);
        var message = Samples.Build(t);
        var factory = Samples.FactoryOf(t);
        var rules = FactoryDefaults.Rules.Where(r => r.Tag == t.Tag).ToArray();
        Assert.Equal(t.Fields.Select(f => f.Name).Order(), rules.Select(r => r.Field).Order());
        foreach (var (_, fieldName, rule) in rules)
        {
            var field = t.Fields.Single(f => f.Name == fieldName);
            var value = field.GetValue(message);
            var because = $"{t.Tag}.{fieldName}: {rule}";
            if (rule == "argument")
            {
                var p = factory.GetParameters().Single(p => Samples.Snake(p.Name!) == fieldName);
                Assert.True(Equals(Samples.ArgumentFor(p), value), because);
                continue;
            }
            if (rule.StartsWith("now", StringComparison.Ordinal))
            {
                Assert.True(Equals(Samples.Truncated, value), because);
                continue;
            }
            if (rule.StartsWith("computed", StringComparison.Ordinal))
            {
                Assert.True(Equals(10 / (2000 / 1000.0), value), because);
                continue;
            }
            var d = Regex.Match(rule, "else (.*)$").Groups[1].Value;
            object? expected = d switch
            {
                "null" => null,
                "this node" => Samples.Self,
                "empty map" => JsonMap.Empty,
                "empty list" => EmptyList,
                "\"system\"" => "system",
                "false" => false,
                "true" => true,
                "1" => 1L,
                "0" => 0L,
                "0.0" => 0.0,
                "now" => Samples.Truncated,
                ":available" => QuorumStatus.Available,
                ":medium" => Severity.Medium,
                "the length of active_nodes" => 2L,
                "the sum of log_counts' values" => 5L,
                "[this node]" => new ValueList<string>([Samples.Self]),
                _ => Unmatched,
            };
            if (expected == EmptyList)
            {
                Assert.Empty(Assert.IsAssignableFrom<System.Collections.IEnumerable>(value));
                continue;
            }
            if (d.StartsWith("true when severity", StringComparison.Ordinal))
            {
                Assert.True(Equals(true, value), because);
                continue;
            }
            if (expected != Unmatched)
            {
                Assert.True(Equals(expected, value), $"{because} (got {value})");
                continue;
            }
            var s = Assert.IsType<string>(value);
            var pattern = d switch
            {
                "16 random lowercase hex chars" => "^[0-9a-f]{16}$",
                "the calling process" => @"^\d+\.\d+$",
                _ when d.StartsWith("new id", StringComparison.Ordinal) => "^" + Regex.Match(d, "`(\\w+)`").Groups[1].Value + "[0-9a-f]{16}$",
                _ => throw new InvalidOperationException("unhandled rule " + rule),
            };
            Assert.Matches(pattern!, s);
        }
    }

    private static readonly object Unmatched = new();
    private static readonly object EmptyList = new();

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Every_option_sets_its_field(string typeName)
    {
        var t = Samples.Type(typeName);
        var options = Samples.FactoryOf(t).GetParameters().Where(p => p.HasDefaultValue && p.ParameterType != typeof(MessageContext)).ToArray();
        foreach (var p in options)
        {
            var given = Samples.ArgumentFor(p, alternative: true);
            var message = Samples.Build(t, new Dictionary<string, object?> { [p.Name!] = given });
            var field = t.Fields.Single(f => f.Name == Samples.Snake(p.Name!));
            Assert.True(Equals(given, field.GetValue(message)), $"{t.Tag}: option {p.Name} should set {field.Name}");
        }
    }

    [Fact]
    public void Requires_ack_defaults_to_true_only_for_error_and_critical()
    {
        var ctx = Samples.Context();
        foreach (var severity in Enum.GetValues<AlertSeverity>())
        {
            var alert = AlertMessages.SystemAlert(severity, AlertCategory.System, "t", "d", "s", messageContext: ctx);
            Assert.Equal(severity is AlertSeverity.Error or AlertSeverity.Critical, alert.RequiresAck);
        }
    }

    [Fact]
    public void Throughput_with_a_zero_window_is_a_clear_error()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => MetricsMessages.ThroughputMetric("writes", 10, 0, messageContext: Samples.Context()));
        Assert.Contains("duration_ms", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_summary_with_non_integer_counts_needs_an_explicit_total()
    {
        var counts = JsonMap.Of(("info", "many"));
        Assert.Throws<ArgumentException>(() => LoggingMessages.LogSummary("last_hour", counts, messageContext: Samples.Context()));
        Assert.Equal(9, LoggingMessages.LogSummary("last_hour", counts, totalLogs: 9, messageContext: Samples.Context()).TotalLogs);
    }

    [Fact]
    public void Generated_ids_differ_between_calls()
    {
        var ctx = Samples.Context();
        var a = DiagnosticsMessages.DebugTrace("c", "op", JsonMap.Empty, messageContext: ctx);
        var b = DiagnosticsMessages.DebugTrace("c", "op", JsonMap.Empty, messageContext: ctx);
        Assert.NotEqual(a.TraceId, b.TraceId);
    }

    [Fact]
    public void Required_reference_arguments_reject_null()
    {
        Assert.Throws<ArgumentNullException>(() => HealthMessages.NodeHealth(null!, NodeHealthStatus.Healthy, messageContext: Samples.Context()));
    }

    [Fact]
    public void Every_factory_takes_a_message_context_last()
    {
        foreach (var t in MessageCatalog.Types)
        {
            var last = Samples.FactoryOf(t).GetParameters()[^1];
            Assert.Equal(typeof(MessageContext), last.ParameterType);
            Assert.True(last.HasDefaultValue);
        }
    }
}

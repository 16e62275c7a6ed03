using ExEsdbGater;

namespace ExEsdbGater.Tests.Catalog;

public sealed class RegistryTests
{
    [Fact]
    public void Instance_to_module_map_has_the_nine_modules()
    {
        var map = ElixirCompat.InstanceToModuleMap;
        Assert.Equal(9, map.Count);
        Assert.Equal("HealthMessages", map["ex_esdb_health"].Name);
        Assert.Equal("LoggingMessages", map["ex_esdb_logging"].Name);
        Assert.DoesNotContain("ex_esdb_events", map.Keys);
    }

    [Fact]
    public void Module_for_instance_gives_the_module_or_none()
    {
        Assert.Equal(typeof(HealthMessages), ElixirCompat.ModuleForInstance("ex_esdb_health")!.FactoryClass);
        Assert.Null(ElixirCompat.ModuleForInstance("invalid"));
        Assert.Null(ElixirCompat.ModuleForInstance(null));
        Assert.Null(ElixirCompat.ModuleForInstance("EX_ESDB_HEALTH"));
    }

    [Fact]
    public void Supported_instances_and_all_modules_line_up()
    {
        Assert.Equal(9, ElixirCompat.SupportedInstances.Count);
        Assert.Equal(ElixirCompat.SupportedInstances, ElixirCompat.AllModules.Select(m => m.Instance.WireName()));
        Assert.All(ElixirCompat.SupportedInstances, i => Assert.StartsWith("ex_esdb_", i, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_message_names_unknown_and_wrong_instances()
    {
        var health = HealthMessages.NodeHealth("n@h", NodeHealthStatus.Healthy, messageContext: Samples.Context());
        Assert.True(ElixirCompat.ValidateMessage("ex_esdb_health", health).IsOk);
        Assert.Equal("unknown_instance", ElixirCompat.ValidateMessage("nope", health).Name);
        Assert.Equal("wrong_instance", ElixirCompat.ValidateMessage("ex_esdb_alerts", health).Name);
        Assert.Equal(ValidationError.MissingFields, ElixirCompat.ValidateMessage("ex_esdb_health", health with { Node = null! }).Error);
    }

    [Fact]
    public void Instance_wire_names_round_trip()
    {
        foreach (var i in GaterInstances.All)
        {
            Assert.True(GaterInstances.TryParse(i.WireName(), out var back));
            Assert.Equal(i, back);
        }
        Assert.False(GaterInstances.TryParse("ex_esdb_nothing", out _));
        Assert.Equal(10, GaterInstances.All.Count);
    }
}

using ExEsdbGater;

namespace ExEsdbGater.Tests.Catalog;

public sealed class ValidatorTests
{
    public static TheoryData<string> TypeNames() => Samples.TypeNames();

    private static GaterMessage With(GaterMessage message, string field, object? value)
    {
        var clone = (GaterMessage)message.GetType().GetMethod("<Clone>$")!.Invoke(message, null)!;
        var prop = message.GetType().GetProperties().Single(p => Samples.Snake(p.Name) == field);
        prop.SetValue(clone, value);
        return clone;
    }


    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Factory_output_is_valid(string typeName)
    {
        var message = Samples.Build(Samples.Type(typeName));
        Assert.True(MessageCatalog.Validate(message).IsOk, MessageCatalog.Validate(message).ToString());
        Assert.True(ElixirCompat.ValidateMessage(message.Instance.WireName(), message).IsOk);
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Each_null_required_field_is_reported_as_missing(string typeName)
    {
        var t = Samples.Type(typeName);
        var message = Samples.Build(t);
        var nullable = t.Fields.Where(f => f.Required && !f.ValueType.IsValueType).ToArray();
        Assert.NotEmpty(nullable);
        foreach (var f in nullable)
        {
            var result = MessageCatalog.Validate(With(message, f.Name, null));
            Assert.Equal(ValidationError.MissingFields, result.Error);
            Assert.Equal([f.Name], result.Fields);
            Assert.Equal("missing_fields", result.Name);
        }
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Node_fields_that_are_not_node_names_are_reported(string typeName)
    {
        var t = Samples.Type(typeName);
        var message = Samples.Build(t);
        foreach (var f in t.Fields.Where(f => f.IsNodeField))
        {
            var result = MessageCatalog.Validate(With(message, f.Name, "no-at-sign"));
            Assert.Equal(ValidationError.InvalidNodeFields, result.Error);
            Assert.Equal([f.Name], result.Fields);
        }
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void An_unset_timestamp_is_invalid(string typeName)
    {
        var message = Samples.Build(Samples.Type(typeName));
        var result = MessageCatalog.Validate(With(message, "timestamp", default(DateTimeOffset)));
        Assert.Equal(ValidationError.InvalidTimestamp, result.Error);
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void An_undefined_enum_value_is_invalid(string typeName)
    {
        var t = Samples.Type(typeName);
        var message = Samples.Build(t);
        foreach (var f in t.Fields.Where(f => f.Kind == FieldKind.Enum))
        {
            var enumType = Nullable.GetUnderlyingType(f.ValueType) ?? f.ValueType;
            var result = MessageCatalog.Validate(With(message, f.Name, Enum.ToObject(enumType, 999)));
            Assert.Equal(ValidationError.InvalidFields, result.Error);
            Assert.Equal([f.Name], result.Fields);
        }
    }

    [Fact]
    public void Helpers_validate_fields_nodes_and_common_like_the_original()
    {
        var health = HealthMessages.NodeHealth("n@h", NodeHealthStatus.Healthy, messageContext: Samples.Context());
        Assert.True(ElixirCompat.ValidateMessageFields(health, ["node", "status"]).IsOk);
        var missing = ElixirCompat.ValidateMessageFields(health, ["load_avg", "node", "no_such_field"]);
        Assert.Equal(ValidationError.MissingFields, missing.Error);
        Assert.Equal(["load_avg", "no_such_field"], missing.Fields);
        Assert.True(ElixirCompat.ValidateNodeFields(health).IsOk);
        Assert.Equal(ValidationError.InvalidNodeFields, ElixirCompat.ValidateNodeFields(health with { Node = "x" }).Error);
        Assert.Equal(ValidationError.MissingFields, ElixirCompat.ValidateCommon(health with { Node = null! }, ["node"]).Error);
        Assert.Equal(ValidationError.InvalidNodeFields, ElixirCompat.ValidateCommon(health with { Node = "bad" }, ["node"]).Error);
        Assert.Equal(ValidationError.InvalidTimestamp, ElixirCompat.ValidateCommon(health with { Timestamp = default }, ["node"]).Error);
        Assert.True(ElixirCompat.ValidateCommon(health, ["node", "status"]).IsOk);
    }
}

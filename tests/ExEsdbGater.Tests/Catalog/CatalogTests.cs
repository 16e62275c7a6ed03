using System.Buffers;
using System.Text.Json;
using ExEsdbGater;

namespace ExEsdbGater.Tests.Catalog;

public sealed class CatalogTests
{
    private static JsonElement SpecCatalog()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "spec", "catalog.json")));
        return doc.RootElement.Clone();
    }

    internal static JsonElement ImplementedCatalog()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            MessageCatalog.WriteJson(w);
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Implemented_catalog_matches_catalog_json_type_for_type_and_field_for_field()
    {
        var spec = SpecCatalog().GetProperty("instances").EnumerateArray().ToArray();
        var impl = ImplementedCatalog().GetProperty("instances").EnumerateArray().ToArray();
        Assert.Equal(spec.Select(i => i.GetProperty("instance").GetString()), impl.Select(i => i.GetProperty("instance").GetString()));
        for (var i = 0; i < spec.Length; i++)
        {
            Assert.Equal(spec[i].GetProperty("module").ToString(), impl[i].GetProperty("module").ToString());
            var st = spec[i].GetProperty("types").EnumerateArray().ToArray();
            var it = impl[i].GetProperty("types").EnumerateArray().ToArray();
            Assert.Equal(st.Length, it.Length);
            for (var j = 0; j < st.Length; j++)
            {
                var where = st[j].GetProperty("name").GetString();
                foreach (var member in new[] { "name", "tag", "factory", "arguments" })
                {
                    Assert.True(JsonElement.DeepEquals(st[j].GetProperty(member), it[j].GetProperty(member)), $"{where}.{member}");
                }
                var sf = st[j].GetProperty("fields").EnumerateArray().ToArray();
                var @if = it[j].GetProperty("fields").EnumerateArray().ToArray();
                Assert.Equal(sf.Select(f => f.GetProperty("name").GetString()), @if.Select(f => f.GetProperty("name").GetString()));
                for (var k = 0; k < sf.Length; k++)
                {
                    var field = $"{where}.{sf[k].GetProperty("name").GetString()}";
                    Assert.True(sf[k].GetProperty("kind").GetString() == @if[k].GetProperty("kind").GetString(), field + " kind");
                    Assert.True(sf[k].GetProperty("required").GetBoolean() == @if[k].GetProperty("required").GetBoolean(), field + " required");
                    var sv = sf[k].TryGetProperty("values", out var a) ? a.EnumerateArray().Select(x => x.GetString()).ToArray() : [];
                    var iv = @if[k].TryGetProperty("values", out var b) ? b.EnumerateArray().Select(x => x.GetString()).ToArray() : [];
                    Assert.True(sv.SequenceEqual(iv), field + " values");
                }
            }
        }
    }

    [Fact]
    public void Catalog_has_nine_modules_and_36_types_with_unique_tags()
    {
        Assert.Equal(9, MessageCatalog.Modules.Count);
        Assert.Equal(36, MessageCatalog.Types.Count);
        Assert.Equal(36, MessageCatalog.Types.Select(t => t.Tag).Distinct().Count());
        Assert.All(MessageCatalog.Types, t => Assert.Same(t, MessageCatalog.Find(t.Instance, t.Tag)));
        Assert.Null(MessageCatalog.ModuleFor(GaterInstance.Events));
    }

    [Fact]
    public void Every_type_has_a_node_field()
    {
        Assert.All(MessageCatalog.Types, t => Assert.Contains(t.Fields, f => f.IsNodeField && f.Required));
    }

    [Fact]
    public void Every_record_is_immutable()
    {
        foreach (var t in MessageCatalog.Types)
        {
            foreach (var p in t.ClrType.GetProperties())
            {
                var setter = p.SetMethod;
                Assert.True(setter is null || setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit"), $"{t.Name}.{p.Name} is settable");
            }
        }
    }
}

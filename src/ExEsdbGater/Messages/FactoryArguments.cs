using System.Text.Json;

namespace ExEsdbGater.Messages;

/// <summary>
/// The fields given to <see cref="MessageCatalog.Create"/>, by wire name, read as the generated creators ask for them:
/// null when absent or JSON null, the typed value when it fits the field's kind, else a <see cref="MessageArgumentException"/>.
/// </summary>
internal sealed class FactoryArguments
{
    private readonly MessageTypeInfo _type;
    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);

    /// <summary>Checks the whole object first: every name a field, none twice, every factory argument present.</summary>
    public FactoryArguments(MessageTypeInfo type, JsonElement arguments)
    {
        _type = type;
        if (arguments.ValueKind != JsonValueKind.Object)
        {
            throw Error(null, $"the arguments must be a JSON object, not {Describe(arguments.ValueKind)}");
        }
        foreach (var p in arguments.EnumerateObject())
        {
            if (!type.FieldIndex.ContainsKey(p.Name))
            {
                throw Error(p.Name, $"there is no field '{p.Name}' (fields: {string.Join(", ", type.Fields.Select(f => f.Name))})");
            }
            if (!_values.TryAdd(p.Name, p.Value))
            {
                throw Error(p.Name, $"'{p.Name}' is given twice");
            }
        }
        foreach (var a in type.Arguments)
        {
            if (!_values.ContainsKey(a))
            {
                throw Error(a, $"'{a}' is missing (the factory needs {string.Join(", ", type.Arguments)})");
            }
        }
        foreach (var f in type.Fields)
        {
            if (f.Required && IsNull(f.Name))
            {
                throw Error(f.Name, type.Arguments.Contains(f.Name) ? $"'{f.Name}' must not be null" : $"'{f.Name}' must not be null (leave it out for its default)");
            }
        }
    }

    /// <summary>True when the field is given, even as null.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    public bool IsNull(string name) => _values.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Null;

    public string? String(string name)
        => Get(name) is { } v ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw Kind(name, "a string", v) : null;

    public long? Integer(string name)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }
        // a wire integer has no fraction and no exponent (wire-format section 4)
        return v.ValueKind == JsonValueKind.Number && v.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') < 0 && v.TryGetInt64(out var n)
            ? n : throw Kind(name, "an integer", v);
    }

    public double? Number(string name)
        => Get(name) is { } v ? v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : throw Kind(name, "a finite number", v) : null;

    public bool? Boolean(string name)
        => Get(name) is { } v ? v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Kind(name, "true or false", v),
        } : null;

    public JsonMap? Map(string name)
        => Get(name) is { } v ? v.ValueKind == JsonValueKind.Object ? JsonMap.FromElement(v) : throw Kind(name, "a JSON object", v) : null;

    public ValueList<string>? Strings(string name)
        => Get(name) is { } v ? v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String)
            ? new ValueList<string>(v.EnumerateArray().Select(x => x.GetString()!)) : throw Kind(name, "a list of strings", v) : null;

    public ValueList<JsonMap>? Maps(string name)
        => Get(name) is { } v ? v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Object)
            ? new ValueList<JsonMap>(v.EnumerateArray().Select(JsonMap.FromElement)) : throw Kind(name, "a list of JSON objects", v) : null;

    public DateTimeOffset? Instant(string name)
        => Get(name) is { } v ? v.ValueKind == JsonValueKind.String && Json.Instant.TryParse(v.GetString().AsSpan(), out var i) ? i : throw Kind(name, "an RFC 3339 instant", v) : null;

    public TEnum? Enum<TEnum>(string name)
        where TEnum : struct, System.Enum
        => Get(name) is { } v ? v.ValueKind == JsonValueKind.String && WireEnum<TEnum>.TryParse(v.GetString()!, out var e)
            ? e : throw Kind(name, $"one of {string.Join(", ", WireEnum<TEnum>.AllNames)}", v) : null;

    public JsonAny? Any(string name) => Get(name) is { } v ? JsonAny.FromElement(v) : null;

    public MessageArgumentException Error(string? field, string problem, Exception? inner = null) => new(_type.Tag, field, problem, inner);

    private JsonElement? Get(string name)
        => _values.TryGetValue(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    private MessageArgumentException Kind(string name, string expected, JsonElement actual)
        => Error(name, $"'{name}' must be {expected}, not {actual.ValueKind switch
        {
            JsonValueKind.String => "'" + Shorten(actual.GetString()!) + "'",
            JsonValueKind.Number => Shorten(actual.GetRawText()),
            _ => Describe(actual.ValueKind),
        }}");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

using System.Text;
using System.Text.Json;

namespace ExEsdbGater;

/// <summary>The error kinds of message validation (their wire names are snake_case).</summary>
public enum ValidationError
{
    /// <summary><c>missing_fields</c>: required fields are null.</summary>
    MissingFields,
    /// <summary><c>invalid_node_fields</c>: node fields that are not node names.</summary>
    InvalidNodeFields,
    /// <summary><c>invalid_timestamp</c>: the timestamp is not a set instant.</summary>
    InvalidTimestamp,
    /// <summary><c>invalid_fields</c>: fields whose values break their kind (undefined enum value, null list item).</summary>
    InvalidFields,
    /// <summary><c>unknown_instance</c>: the instance has no message module.</summary>
    UnknownInstance,
    /// <summary><c>wrong_instance</c>: the message belongs to another instance.</summary>
    WrongInstance,
    /// <summary><c>unknown_type</c>: the message type is not in the catalog.</summary>
    UnknownType,
}

/// <summary>The outcome of validating a message: ok, or an error kind with the fields concerned.</summary>
public sealed record ValidationResult
{
    private ValidationResult(ValidationError? error, IReadOnlyList<string> fields)
    {
        Error = error;
        Fields = fields;
    }

    /// <summary>The ok result.</summary>
    public static ValidationResult Ok { get; } = new(null, []);

    /// <summary>Creates an error result.</summary>
    public static ValidationResult Fail(ValidationError error, params IReadOnlyList<string> fields) => new(error, fields);

    /// <summary>True when the message is valid.</summary>
    public bool IsOk => Error is null;

    /// <summary>The error kind, or null when ok.</summary>
    public ValidationError? Error { get; }

    /// <summary>The wire name of the error (<c>missing_fields</c>, …), or <c>ok</c>.</summary>
    public string Name => Error is { } e ? JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()) : "ok";

    /// <summary>The fields concerned (wire names).</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>e.g. <c>missing_fields: status, node</c>.</summary>
    public override string ToString() => Fields.Count == 0 ? Name : $"{Name}: {string.Join(", ", Fields)}";
}

/// <summary>Thrown when a message that fails validation is published.</summary>
public sealed class GaterValidationException : Exception
{
    /// <summary>Creates the exception for a failed result.</summary>
    public GaterValidationException(string typeName, ValidationResult result)
        : base($"{typeName} is not valid: {result}")
    {
        Result = result;
    }

    /// <summary>The failed result.</summary>
    public ValidationResult Result { get; }
}

/// <summary>The one validator behind every module's <c>Validate</c>: driven by the catalog descriptors.</summary>
internal static class MessageValidator
{
    public static ValidationResult Validate(GaterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is ApplicationEvent ev)
        {
            return FrameRules.IsValidType(ev.Type) ? ValidationResult.Ok : ValidationResult.Fail(ValidationError.InvalidFields, "type");
        }
        var info = MessageCatalog.Find(message.GetType());
        if (info is null)
        {
            return ValidationResult.Fail(ValidationError.UnknownType, message.GetType().Name);
        }
        var required = info.Fields.Where(f => f.Required).Select(f => f.Name);
        return ValidateCommon(info, message, required, checkKinds: true);
    }

    public static ValidationResult ValidateCommon(MessageTypeInfo info, GaterMessage message, IEnumerable<string> required, bool checkKinds)
    {
        var missing = MissingFields(info, message, required.Append("timestamp"));
        if (missing.Count > 0)
        {
            return ValidationResult.Fail(ValidationError.MissingFields, missing);
        }
        var nodes = InvalidNodeFields(info, message);
        if (nodes.Count > 0)
        {
            return ValidationResult.Fail(ValidationError.InvalidNodeFields, nodes);
        }
        var ts = info.Fields.FirstOrDefault(f => f.Name == "timestamp");
        if (ts is not null && ts.GetValue(message) is not DateTimeOffset { Year: > 1 })
        {
            return ValidationResult.Fail(ValidationError.InvalidTimestamp, "timestamp");
        }
        if (checkKinds)
        {
            var bad = info.Fields.Where(f => !ValueFitsKind(f, f.GetValue(message))).Select(f => f.Name).ToArray();
            if (bad.Length > 0)
            {
                return ValidationResult.Fail(ValidationError.InvalidFields, bad);
            }
        }
        return ValidationResult.Ok;
    }

    public static List<string> MissingFields(MessageTypeInfo info, GaterMessage message, IEnumerable<string> required)
    {
        var missing = new List<string>();
        foreach (var name in required.Distinct(StringComparer.Ordinal))
        {
            var field = info.Fields.FirstOrDefault(f => f.Name == name);
            if (field is null || field.GetValue(message) is null)
            {
                missing.Add(name);
            }
        }
        return missing;
    }

    public static string? FirstInvalidNodeField(MessageTypeInfo info, GaterMessage message)
    {
        foreach (var f in info.Fields)
        {
            if (f.IsNodeField && f.GetValue(message) is string s && !NodeName.IsValid(s))
            {
                return f.Name;
            }
        }
        return null;
    }

    public static List<string> InvalidNodeFields(MessageTypeInfo info, GaterMessage message)
        => info.Fields.Where(f => f.IsNodeField && f.GetValue(message) is string s && !NodeName.IsValid(s)).Select(f => f.Name).ToList();

    private static bool ValueFitsKind(MessageFieldInfo field, object? value) => value switch
    {
        null => true,
        Enum e => Enum.IsDefined(e.GetType(), e),
        double d => double.IsFinite(d),
        ValueList<string> l => l.All(x => x is not null),
        ValueList<JsonMap> l => l.All(x => x is not null),
        _ => true,
    };
}

/// <summary>Checks a payload's JSON against its type (wire-format section 4) without building it.</summary>
internal static class PayloadSchema
{
    /// <summary>Returns null when the payload fits, else the name of the first offending field.</summary>
    public static string? Check(ReadOnlySpan<byte> payload, MessageTypeInfo info)
    {
        var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return "payload";
        }
        ulong present = 0;
        Span<char> nameBuf = stackalloc char[64];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var idx = -1;
            if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= nameBuf.Length)
            {
                var n = Encoding.UTF8.GetChars(reader.ValueSpan, nameBuf);
                if (!info.FieldIndex.TryGetValue(nameBuf[..n], out idx))
                {
                    idx = -1;
                }
            }
            else if (reader.ValueIsEscaped)
            {
                var s = reader.GetString()!;
                if (!info.FieldIndex.TryGetValue(s.AsSpan(), out idx))
                {
                    idx = -1;
                }
            }
            reader.Read();
            if (idx < 0)
            {
                reader.Skip();
                continue;
            }
            var field = info.Fields[idx];
            if (reader.TokenType == JsonTokenType.Null)
            {
                if (field.Required)
                {
                    return field.Name;
                }
                continue;
            }
            if (!FitsKind(ref reader, field))
            {
                return field.Name;
            }
            present |= 1UL << idx;
        }
        for (var i = 0; i < info.Fields.Count; i++)
        {
            if (info.Fields[i].Required && (present & (1UL << i)) == 0)
            {
                return info.Fields[i].Name;
            }
        }
        return null;
    }

    private static bool FitsKind(ref Utf8JsonReader reader, MessageFieldInfo field)
    {
        switch (field.Kind)
        {
            case FieldKind.String:
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }
                return !field.IsNodeField || (reader.ValueIsEscaped ? NodeName.IsValid(reader.GetString()) : FrameRules.IsValidNode(reader.ValueSpan));
            case FieldKind.Integer:
                return reader.TokenType == JsonTokenType.Number && IsPlainInteger(ref reader);
            case FieldKind.Number:
                return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d) && double.IsFinite(d);
            case FieldKind.Boolean:
                return reader.TokenType is JsonTokenType.True or JsonTokenType.False;
            case FieldKind.Map:
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }
                reader.Skip();
                return true;
            case FieldKind.List:
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return false;
                }
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var ok = field.ElementKind == FieldKind.Map ? reader.TokenType == JsonTokenType.StartObject : reader.TokenType == JsonTokenType.String;
                    if (!ok)
                    {
                        return false;
                    }
                    reader.Skip();
                }
                return true;
            case FieldKind.Instant:
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }
                return reader.ValueIsEscaped ? Instant.TryParse(reader.GetString().AsSpan(), out _) : Instant.TryParse(reader.ValueSpan, out _);
            case FieldKind.Enum:
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }
                foreach (var v in field.Values)
                {
                    if (reader.ValueTextEquals(v))
                    {
                        return true;
                    }
                }
                return false;
            default:
                reader.Skip();
                return true;
        }
    }

    internal static bool IsPlainInteger(ref Utf8JsonReader reader)
    {
        var raw = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan;
        return raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && reader.TryGetInt64(out _);
    }
}

using ExEsdbGater.Frames;
using ExEsdbGater.Messages;
using System.Buffers;
using System.Text.Json;
using ExEsdbGater.Beam.Terms;
using ExEsdbGater.Json;

namespace ExEsdbGater.Beam.Mapping;

/// <summary>
/// The original's <c>{tag, %ExESDBGater.Messages.&lt;Module&gt;.&lt;Type&gt;{…}}</c> terms ↔ the library's typed
/// messages, for all 36 catalog types, driven by <see cref="MessageCatalog"/>.
/// </summary>
/// <remarks>
/// Received values: atoms or binaries for string, enum and node fields; <c>%DateTime{}</c> for instants (microseconds
/// kept); atoms <c>true</c>/<c>false</c> for booleans; <c>nil</c> for null; free-form values as
/// <see cref="JsonTerms"/> says. Sent values follow the original's factories: atoms for node, enum and the fields it
/// documents as atoms, binaries for strings, <c>%DateTime{}</c> structs, struct and DateTime keys in Erlang term order.
/// </remarks>
internal static class BeamMapping
{
    private static readonly Atom StructKey = Atom.Intern("__struct__");

    /// <summary>
    /// Maps a received <c>{tag, struct}</c> term of <paramref name="instance"/> to its typed message. Never throws on a
    /// bad term: not <c>{atom, map with __struct__}</c> → <c>invalid_format</c>; a tag or struct that is not a type of
    /// the instance → <c>unknown_type</c>; a missing field, a value of the wrong kind or a message the catalog refuses →
    /// <c>invalid_payload</c> naming the field.
    /// </summary>
    /// <param name="message">The <c>{tag, struct}</c> inside <c>{:secure_message, sig, message}</c>.</param>
    /// <param name="instance">The instance whose group it arrived on.</param>
    /// <param name="sendingNode">The node it came from: the <c>node</c> of the seven types the original sends without one.</param>
    public static MappingResult FromTerm(Term message, GaterInstance instance, string sendingNode)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(sendingNode);
        if (message is not Terms.Tuple { Arity: 2 } t || t[0] is not Atom tag || t[1] is not Map map)
        {
            return MappingResult.Fail(RejectReason.InvalidFormat, $"not {{tag, %Struct{{}}}}: {TermText.Describe(message)}");
        }
        if (!map.TryGetValue(StructKey, out var s) || s is not Atom structAtom)
        {
            return MappingResult.Fail(RejectReason.InvalidFormat, $"the message of {TermText.AtomText(tag.Name)} is a map without an atom __struct__");
        }
        var type = MessageCatalog.Find(instance, tag.Name);
        if (type is null)
        {
            return MappingResult.Fail(RejectReason.UnknownType, $"{TermText.AtomText(tag.Name)} is not a message of {instance.WireName()}");
        }
        var shape = OriginalShape.For(type);
        if (!string.Equals(structAtom.Name, shape.StructName, StringComparison.Ordinal))
        {
            return MappingResult.Fail(RejectReason.UnknownType, $"{TermText.AtomText(tag.Name)} carries {structAtom.Name}, not {shape.StructName}");
        }
        try
        {
            return Map(shape, message, map, sendingNode);
        }
        catch (MessageArgumentException ex)
        {
            // the catalog refused the values (a required nil, an enum value it does not know, a bad node name…)
            return MappingResult.Fail(RejectReason.InvalidPayload, ex.Field is { } f ? $"field {f}: {Strip(ex.Message, type.Tag)}" : Strip(ex.Message, type.Tag));
        }
        catch (ArgumentException ex)
        {
            // a value JSON cannot hold (a NaN float from a hostile peer)
            return MappingResult.Fail(RejectReason.InvalidPayload, ex.Message);
        }
    }

    private static MappingResult Map(OriginalShape shape, Term message, Map map, string sendingNode)
    {
        var terms = new Dictionary<string, Term>(StringComparer.Ordinal);
        var nodeFilled = false;
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var field in shape.Fields)
            {
                if (!map.TryGetValue(field.Key, out var value))
                {
                    if (!field.InOriginal)
                    {
                        w.WriteString(field.Name, sendingNode);
                        nodeFilled = true;
                        continue;
                    }
                    return MappingResult.Fail(RejectReason.InvalidPayload, $"field {field.Name} is missing");
                }
                if (field.Info.Required && value is Atom { Name: "nil" })
                {
                    return MappingResult.Fail(RejectReason.InvalidPayload, $"field {field.Name} is required, not nil");
                }
                terms[field.Name] = value;
                w.WritePropertyName(field.Name);
                if (!TryWriteField(w, field, value, out var problem))
                {
                    return MappingResult.Fail(RejectReason.InvalidPayload, $"field {field.Name}: {problem}");
                }
            }
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        var typed = shape.Type.Create(doc.RootElement);
        var origin = new Dictionary<string, (object?, Term)>(StringComparer.Ordinal);
        foreach (var field in shape.Fields)
        {
            if (terms.TryGetValue(field.Name, out var term))
            {
                origin[field.Name] = (field.GetValue(typed), term);
            }
        }
        return MappingResult.Ok(typed, nodeFilled, new TermOrigin(message, origin));
    }

    private static bool TryWriteField(Utf8JsonWriter w, FieldShape field, Term value, out string problem)
    {
        problem = "";
        if (value is Atom { Name: "nil" })
        {
            w.WriteNullValue();
            return true;
        }
        switch (field.Info.Kind)
        {
            case FieldKind.String:
                return TryWriteString(w, value, allowPid: !field.Info.IsNodeField, out problem);
            case FieldKind.Enum:
                if (value is Atom { Name: not ("true" or "false") } e)
                {
                    w.WriteStringValue(e.Name);
                    return true;
                }
                if (value is Binary eb && eb.TryGetString(out var es))
                {
                    w.WriteStringValue(es);
                    return true;
                }
                problem = $"expected one of the atoms {string.Join(", ", field.Info.Values.Select(v => ":" + v))}, not {TermText.Describe(value)}";
                return false;
            case FieldKind.Integer:
                if (value is Integer i && i.TryGetInt64(out var l))
                {
                    w.WriteNumberValue(l);
                    return true;
                }
                problem = $"expected an integer, not {TermText.Describe(value)}";
                return false;
            case FieldKind.Number:
                if (value is Integer n && n.TryGetInt64(out var nl))
                {
                    w.WriteNumberValue(nl);
                    return true;
                }
                if (value is Float f)
                {
                    w.WriteNumberValue(f.Value);
                    return true;
                }
                problem = $"expected a number, not {TermText.Describe(value)}";
                return false;
            case FieldKind.Boolean:
                if (value is Atom { Name: "true" or "false" } b)
                {
                    w.WriteBooleanValue(b.Name == "true");
                    return true;
                }
                problem = $"expected true or false, not {TermText.Describe(value)}";
                return false;
            case FieldKind.Instant:
                if (!ElixirDateTime.TryRead(value, out var dt, out problem))
                {
                    return false;
                }
                w.WriteStringValue(JsonTerms.FormatInstant(dt));
                return true;
            case FieldKind.Map:
                if (value is Map m && !ElixirDateTime.IsDateTime(m))
                {
                    return JsonTerms.TryWriteObject(w, m, 1, out problem);
                }
                problem = $"expected a map, not {TermText.Describe(value)}";
                return false;
            case FieldKind.List:
                return TryWriteList(w, field, value, out problem);
            default:
                return JsonTerms.TryWrite(w, value, 1, out problem);
        }
    }

    private static bool TryWriteString(Utf8JsonWriter w, Term value, bool allowPid, out string problem)
    {
        problem = "";
        switch (value)
        {
            case Atom { Name: "true" or "false" }:
                break;
            case Atom a:
                w.WriteStringValue(a.Name);
                return true;
            case Binary b when b.TryGetString(out var s):
                w.WriteStringValue(s);
                return true;
            case Pid when allowPid:
                w.WriteStringValue(TermText.Format(value));
                return true;
            default:
                break;
        }
        problem = $"expected a string or an atom, not {TermText.Describe(value)}";
        return false;
    }

    private static bool TryWriteList(Utf8JsonWriter w, FieldShape field, Term value, out string problem)
    {
        if (value is not List { IsProper: true } list)
        {
            problem = $"expected a list, not {TermText.Describe(value)}";
            return false;
        }
        w.WriteStartArray();
        for (var i = 0; i < list.Elements.Count; i++)
        {
            var item = list.Elements[i];
            if (field.Info.ElementKind == FieldKind.Map)
            {
                if (item is not Map m || ElixirDateTime.IsDateTime(m))
                {
                    problem = $"item {i} is {TermText.Describe(item)}, not a map";
                    return false;
                }
                if (!JsonTerms.TryWriteObject(w, m, 2, out problem))
                {
                    problem = $"item {i}: {problem}";
                    return false;
                }
            }
            else if (!TryWriteString(w, item, allowPid: false, out problem))
            {
                problem = $"item {i}: {problem}";
                return false;
            }
        }
        w.WriteEndArray();
        problem = "";
        return true;
    }

    /// <summary>
    /// The <c>{tag, %Struct{}}</c> term the original's factory builds for this message: its fields (no <c>node</c> for
    /// the seven types that lack it), atoms where the original uses atoms, <c>%DateTime{}</c> structs, keys in term
    /// order. With <paramref name="origin"/> (from <see cref="FromTerm"/>), unchanged fields are written as received.
    /// </summary>
    /// <exception cref="ArgumentException">The message is not one of the 36 catalog types.</exception>
    public static Terms.Tuple ToTerm(GaterMessage message, TermOrigin? origin = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var type = MessageCatalog.Find(message.GetType())
            ?? throw new ArgumentException($"{message.GetType().Name} is not a catalog message type; only those travel to BEAM nodes.", nameof(message));
        var shape = OriginalShape.For(type);
        var pairs = new List<KeyValuePair<Term, Term>>(shape.Fields.Count + 1) { new(StructKey, shape.StructAtom) };
        foreach (var field in shape.Fields)
        {
            if (!field.InOriginal)
            {
                continue;
            }
            var value = field.GetValue(message);
            var term = origin is not null && origin.TryGetUnchanged(field.Name, value, out var received) ? received : ValueTerm(field, value);
            pairs.Add(new(field.Key, term));
        }
        return new Terms.Tuple(shape.TagAtom, SortedMap.Of(pairs));
    }

    private static Term ValueTerm(FieldShape field, object? value) => value switch
    {
        null => Atom.Nil,
        string s when field.AtomValued => AtomOrBinary(s),
        string s => Binary.Utf8(s),
        bool b => b ? Atom.True : Atom.False,
        long l => new Integer(l),
        int i => new Integer(i),
        double d => new Float(d),
        DateTimeOffset dt => ElixirDateTime.ToTerm(dt),
        Enum e => Atom.Of(JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString())),
        JsonMap m => JsonTerms.FromJson(m.Element),
        JsonAny a => JsonTerms.FromJson(a.Element),
        ValueList<string> list => list.Count == 0 ? List.Empty
            : new List(list.Select(x => x is null ? Atom.Nil : field.AtomItems ? AtomOrBinary(x) : Binary.Utf8(x)).ToArray()),
        ValueList<JsonMap> maps => maps.Count == 0 ? List.Empty : new List(maps.Select(x => JsonTerms.FromJson(x.Element)).ToArray()),
        _ => throw new ArgumentException($"field {field.Name} holds a {value.GetType().Name}, which has no term form"),
    };

    // An atom longer than erts allows cannot be sent; such a name travels as a binary.
    private static Term AtomOrBinary(string s) => s.Length <= Atom.MaxCharacters ? Atom.Of(s) : Binary.Utf8(s);

    private static string Strip(string message, string tag)
        => message.StartsWith(tag + ": ", StringComparison.Ordinal) ? message[(tag.Length + 2)..] : message;
}

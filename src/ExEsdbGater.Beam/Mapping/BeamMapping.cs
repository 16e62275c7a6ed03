using ExEsdbGater.Frames;
using ExEsdbGater.Messages;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
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
    /// <param name="keepOrigin">
    /// Keep the received terms (<see cref="MappingResult.Origin"/>) so <see cref="ToTerm"/> can write unchanged fields
    /// as received; the link's receive path never writes a message back, and skips the per-message dictionary.
    /// </param>
    public static MappingResult FromTerm(Term message, GaterInstance instance, string sendingNode, bool keepOrigin = true)
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
            return MapStruct(shape, message, map, sendingNode, keepOrigin);
        }
        catch (ArgumentException ex)
        {
            // a value JSON cannot hold (a NaN float from a hostile peer)
            return MappingResult.Fail(RejectReason.InvalidPayload, ex.Message);
        }
    }

    private static MappingResult MapStruct(OriginalShape shape, Term message, Map map, string sendingNode, bool keepOrigin)
    {
        var fields = shape.Fields;
        var terms = new Term?[fields.Count];
        foreach (var (k, v) in map.Pairs)
        {
            // keys the catalog does not know (a later original's additions) are ignored
            if (k is Atom a && shape.IndexOf(a.Name) is var i and >= 0)
            {
                terms[i] = v;
            }
        }
        var values = new object?[fields.Count];
        var nodeFilled = false;
        JsonBatch? json = null;
        try
        {
            for (var i = 0; i < fields.Count; i++)
            {
                var field = fields[i];
                var value = terms[i];
                if (value is null)
                {
                    if (!field.InOriginal)
                    {
                        values[i] = sendingNode;
                        nodeFilled = true;
                        continue;
                    }
                    return MappingResult.Fail(RejectReason.InvalidPayload, $"field {field.Name} is missing");
                }
                if (value is Atom { Name: "nil" })
                {
                    if (field.Info.Required || field.NeedsValue)
                    {
                        return MappingResult.Fail(RejectReason.InvalidPayload, $"field {field.Name} is required, not nil");
                    }
                    continue;
                }
                if (!TryConvert(field, value, i, values, ref json, out var problem))
                {
                    return MappingResult.Fail(RejectReason.InvalidPayload, $"field {field.Name}: {problem}");
                }
            }
            json?.Complete(values);
        }
        finally
        {
            json?.Dispose();
        }
        var typed = shape.Construct(values);
        var check = MessageCatalog.Validate(typed);
        if (!check.IsOk)
        {
            var f = check.Fields.Count > 0 ? check.Fields[0] : "?";
            return MappingResult.Fail(RejectReason.InvalidPayload, check.Error switch
            {
                ValidationError.InvalidNodeFields => $"field {f} is not a node name",
                ValidationError.MissingFields => $"field {f} is missing",
                _ => $"field {f}: {check.Name}",
            });
        }
        var node = shape.IndexOf("node") is var ni and >= 0 ? values[ni] as string : null;
        if (!keepOrigin)
        {
            return MappingResult.Ok(typed, nodeFilled, null, node);
        }
        var origin = new Dictionary<string, (object?, Term)>(fields.Count, StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            if (terms[i] is { } term)
            {
                origin[fields[i].Name] = (values[i], term);
            }
        }
        return MappingResult.Ok(typed, nodeFilled, new TermOrigin(message, origin), node);
    }

    private static bool TryConvert(FieldShape field, Term value, int index, object?[] values, ref JsonBatch? json, out string problem)
    {
        problem = "";
        switch (field.Info.Kind)
        {
            case FieldKind.String:
                if (!TryString(value, allowPid: !field.Info.IsNodeField, out var s, out problem))
                {
                    return false;
                }
                values[index] = s;
                return true;
            case FieldKind.Enum:
                var name = value switch
                {
                    Atom { Name: not ("true" or "false") } e => e.Name,
                    Binary eb when eb.TryGetString(out var es) => es,
                    _ => null,
                };
                if (name is not null && field.EnumValues.TryGetValue(name, out var boxed))
                {
                    values[index] = boxed;
                    return true;
                }
                problem = $"expected one of the atoms {string.Join(", ", field.Info.Values.Select(v => ":" + v))}, not {TermText.Describe(value)}";
                return false;
            case FieldKind.Integer:
                if (value is Integer i && i.TryGetInt64(out var l))
                {
                    values[index] = l;
                    return true;
                }
                problem = $"expected an integer, not {TermText.Describe(value)}";
                return false;
            case FieldKind.Number:
                if (value is Integer n && n.TryGetInt64(out var nl))
                {
                    values[index] = (double)nl;
                    return true;
                }
                if (value is Float f)
                {
                    values[index] = f.Value;
                    return true;
                }
                problem = $"expected a number, not {TermText.Describe(value)}";
                return false;
            case FieldKind.Boolean:
                if (value is Atom { Name: "true" or "false" } b)
                {
                    values[index] = b.Name == "true";
                    return true;
                }
                problem = $"expected true or false, not {TermText.Describe(value)}";
                return false;
            case FieldKind.Instant:
                if (!ElixirDateTime.TryRead(value, out var dt, out problem))
                {
                    return false;
                }
                values[index] = dt;
                return true;
            case FieldKind.Map:
                if (value is not Map m || ElixirDateTime.IsDateTime(m))
                {
                    problem = $"expected a map, not {TermText.Describe(value)}";
                    return false;
                }
                if (m.Count == 0)
                {
                    values[index] = JsonMap.Empty;
                    return true;
                }
                json ??= JsonBatch.Rent();
                return json.TryAdd(index, FieldKind.Map, w => JsonTerms.TryWriteObject(w, m, 1, out var p) ? null : p, out problem);
            case FieldKind.List when field.Info.ElementKind == FieldKind.Map:
                if (!IsProperList(value, out var maps, out problem))
                {
                    return false;
                }
                for (var k = 0; k < maps.Count; k++)
                {
                    if (maps[k] is not Map || ElixirDateTime.IsDateTime(maps[k]))
                    {
                        problem = $"item {k} is {TermText.Describe(maps[k])}, not a map";
                        return false;
                    }
                }
                json ??= JsonBatch.Rent();
                return json.TryAdd(index, FieldKind.List, w =>
                {
                    w.WriteStartArray();
                    for (var k = 0; k < maps.Count; k++)
                    {
                        if (!JsonTerms.TryWriteObject(w, (Map)maps[k], 2, out var p))
                        {
                            return $"item {k}: {p}";
                        }
                    }
                    w.WriteEndArray();
                    return null;
                }, out problem);
            case FieldKind.List:
                if (!IsProperList(value, out var items, out problem))
                {
                    return false;
                }
                var strings = new string[items.Count];
                for (var k = 0; k < items.Count; k++)
                {
                    if (items[k] is Atom { Name: "nil" } || !TryString(items[k], allowPid: false, out var item, out problem))
                    {
                        problem = items[k] is Atom { Name: "nil" } ? $"item {k} is nil" : $"item {k}: {problem}";
                        return false;
                    }
                    strings[k] = item;
                }
                values[index] = new ValueList<string>(strings);
                return true;
            default:
                json ??= JsonBatch.Rent();
                return json.TryAdd(index, FieldKind.Any, w => JsonTerms.TryWrite(w, value, 1, out var p) ? null : p, out problem);
        }
    }

    private static bool IsProperList(Term value, out IReadOnlyList<Term> items, out string problem)
    {
        if (value is List { IsProper: true } list)
        {
            items = list.Elements;
            problem = "";
            return true;
        }
        items = [];
        problem = $"expected a list, not {TermText.Describe(value)}";
        return false;
    }

    private static bool TryString(Term value, bool allowPid, [NotNullWhen(true)] out string? text, out string problem)
    {
        problem = "";
        switch (value)
        {
            case Atom { Name: "true" or "false" }:
                break;
            case Atom a:
                text = a.Name;
                return true;
            case Binary b when b.TryGetString(out var s):
                text = s;
                return true;
            case Pid when allowPid:
                text = TermText.Format(value);
                return true;
            default:
                break;
        }
        text = null;
        problem = $"expected a string or an atom, not {TermText.Describe(value)}";
        return false;
    }

    /// <summary>
    /// The free-form values of one message (maps, lists of maps, <c>any</c>), written as JSON into one buffer. The
    /// library holds them as JSON: maps and values keep just their bytes (parsed on first use, as a verified frame's
    /// are), since the writer made them valid and <see cref="JsonTerms.TryWriteObject"/> refuses duplicate keys.
    /// </summary>
    private sealed class JsonBatch : IDisposable
    {
        // one per thread, reused: a message is mapped on one thread, start to end, and never inside another's mapping
        [ThreadStatic]
        private static JsonBatch? t_cached;

        private readonly ArrayBufferWriter<byte> _buffer = new(256);
        private readonly Utf8JsonWriter _writer;
        private readonly List<(int Index, FieldKind Kind, int Start, int End)> _pending = [];

        private JsonBatch()
        {
            _writer = new Utf8JsonWriter(_buffer);
        }

        public static JsonBatch Rent()
        {
            var batch = t_cached ?? new JsonBatch();
            t_cached = null;
            return batch;
        }

        /// <summary>Writes one value; <paramref name="write"/> returns null, or the problem.</summary>
        public bool TryAdd(int index, FieldKind kind, Func<Utf8JsonWriter, string?> write, out string problem)
        {
            var start = _buffer.WrittenCount;
            // a new root value each time (a failed write leaves nothing the next one depends on)
            _writer.Reset(_buffer);
            problem = write(_writer) ?? "";
            _writer.Flush();
            _pending.Add((index, kind, start, _buffer.WrittenCount));
            return problem.Length == 0;
        }

        public void Complete(object?[] values)
        {
            foreach (var (index, kind, start, end) in _pending)
            {
                var json = _buffer.WrittenSpan[start..end];
                values[index] = kind switch
                {
                    FieldKind.Map => JsonMap.OverUtf8(json),
                    FieldKind.List => ListOfMaps(json),
                    _ => JsonAny.OverUtf8(json),
                };
            }
        }

        private static ValueList<JsonMap> ListOfMaps(ReadOnlySpan<byte> json)
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = JsonTerms.MaxDepth + 8 });
            using var doc = JsonDocument.ParseValue(ref reader);
            return new ValueList<JsonMap>(doc.RootElement.EnumerateArray().Select(JsonMap.FromElement).ToArray());
        }

        public void Dispose()
        {
            _pending.Clear();
            // a huge message's buffer is not kept for the thread's lifetime
            if (_buffer.Capacity > 64 * 1024)
            {
                _writer.Dispose();
                return;
            }
            _buffer.ResetWrittenCount();
            t_cached = this;
        }
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
        // '_' sorts before every lowercase letter, so __struct__ leads the fields, which are kept in term order
        var pairs = new KeyValuePair<Term, Term>[shape.SortedFields.Count + 1];
        pairs[0] = new(StructKey, shape.StructAtom);
        var n = 1;
        foreach (var field in shape.SortedFields)
        {
            var value = field.GetValue(message);
            var term = origin is not null && origin.TryGetUnchanged(field.Name, value, out var received) ? received : ValueTerm(field, value);
            pairs[n++] = new(field.Key, term);
        }
        return new Terms.Tuple(shape.TagAtom, new Map(pairs));
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
}

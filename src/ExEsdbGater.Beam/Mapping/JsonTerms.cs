using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Mapping;

/// <summary>
/// Free-form values (the catalog's <c>map</c>, <c>any</c> and list items) between terms and the library's JSON
/// representation (<see cref="ExEsdbGater.Json.JsonMap"/>, <see cref="ExEsdbGater.Json.JsonAny"/>).
/// </summary>
/// <remarks>
/// Terms → JSON: <c>nil</c> → null, <c>true</c>/<c>false</c> → booleans, other atoms → their name, UTF-8 binaries →
/// strings, integers → numbers (beyond a long: a string of digits), floats → numbers, proper lists → arrays, maps →
/// objects (atom and binary keys by name, other keys as <see cref="TermText"/>), <c>%DateTime{}</c> → an RFC 3339
/// string with microseconds; everything else (tuples, pids, references, ports, funs, improper lists, non-UTF-8
/// binaries) → its <see cref="TermText"/> string. JSON → terms: strings → binaries, objects → maps with binary keys in
/// term order, integers → integers, other numbers → floats, null → <c>nil</c>.
/// </remarks>
internal static class JsonTerms
{
    public const int MaxDepth = 64;

    /// <summary>Writes a term as a JSON value; false with the problem when it cannot (too deep, a duplicate key).</summary>
    public static bool TryWrite(Utf8JsonWriter writer, Term term, int depth, out string problem)
    {
        problem = "";
        if (depth > MaxDepth)
        {
            problem = $"nested deeper than {MaxDepth}";
            return false;
        }
        switch (term)
        {
            case Atom { Name: "nil" }:
                writer.WriteNullValue();
                return true;
            case Atom { Name: "true" }:
                writer.WriteBooleanValue(true);
                return true;
            case Atom { Name: "false" }:
                writer.WriteBooleanValue(false);
                return true;
            case Atom a:
                writer.WriteStringValue(a.Name);
                return true;
            case Binary b when b.TryGetString(out var s):
                writer.WriteStringValue(s);
                return true;
            case Integer i when i.TryGetInt64(out var l):
                writer.WriteNumberValue(l);
                return true;
            case Integer i:
                writer.WriteStringValue(i.Value.ToString(CultureInfo.InvariantCulture));
                return true;
            case Float f:
                writer.WriteNumberValue(f.Value);
                return true;
            case List { IsProper: true } list:
                writer.WriteStartArray();
                foreach (var e in list.Elements)
                {
                    if (!TryWrite(writer, e, depth + 1, out problem))
                    {
                        return false;
                    }
                }
                writer.WriteEndArray();
                return true;
            case Map m when ElixirDateTime.IsDateTime(m):
                if (!ElixirDateTime.TryRead(m, out var dt, out problem))
                {
                    return false;
                }
                writer.WriteStringValue(FormatInstant(dt));
                return true;
            case Map m:
                return TryWriteObject(writer, m, depth, out problem);
            default:
                writer.WriteStringValue(TermText.Format(term));
                return true;
        }
    }

    /// <summary>Writes a map as a JSON object; false with the problem when two keys name the same member.</summary>
    public static bool TryWriteObject(Utf8JsonWriter writer, Map map, int depth, out string problem)
    {
        problem = "";
        // small maps (nearly all) compare keys directly; a set only where that would grow quadratic
        var seen = map.Count > SmallMap ? new HashSet<string>(StringComparer.Ordinal) : null;
        writer.WriteStartObject();
        for (var i = 0; i < map.Count; i++)
        {
            var (k, v) = map.Pairs[i];
            var key = KeyText(k);
            if (seen is null ? SameKeyBefore(map, i, key) : !seen.Add(key))
            {
                problem = $"the key '{key}' occurs twice (as an atom and as a string)";
                return false;
            }
            writer.WritePropertyName(key);
            if (!TryWrite(writer, v, depth + 1, out problem))
            {
                return false;
            }
        }
        writer.WriteEndObject();
        return true;
    }

    private const int SmallMap = 16;

    private static bool SameKeyBefore(Map map, int i, string key)
    {
        for (var j = 0; j < i; j++)
        {
            if (string.Equals(KeyText(map.Pairs[j].Key), key, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static string KeyText(Term key) => key switch
    {
        Atom a => a.Name,
        Binary b when b.TryGetString(out var s) => s,
        _ => TermText.Format(key),
    };

    /// <summary><c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>: the wire form with the microseconds a DateTime carries.</summary>
    public static string FormatInstant(DateTimeOffset value)
        => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A JSON value as the term the original would hold for it (see the remarks).</summary>
    public static Term FromJson(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Binary.Utf8(value.GetString()!),
        JsonValueKind.Number => Number(value),
        JsonValueKind.True => Atom.True,
        JsonValueKind.False => Atom.False,
        JsonValueKind.Array => value.GetArrayLength() == 0 ? List.Empty : new List(value.EnumerateArray().Select(FromJson).ToArray()),
        JsonValueKind.Object => SortedMap.Of(value.EnumerateObject().Select(p => new KeyValuePair<Term, Term>(Binary.Utf8(p.Name), FromJson(p.Value)))),
        _ => Atom.Nil,
    };

    private static Term Number(JsonElement value)
    {
        var raw = value.GetRawText();
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            if (value.TryGetInt64(out var l))
            {
                return new Integer(l);
            }
            if (BigInteger.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big))
            {
                return new Integer(big);
            }
        }
        return new Float(value.GetDouble());
    }
}

using ExEsdbGater.Beam.Mapping;

namespace ExEsdbGater.Beam.Tests.Mapping;

/// <summary>Small builders for hand-made terms.</summary>
internal static class T
{
    public static Atom A(string name) => Atom.Of(name);

    public static Binary B(string text) => Binary.Utf8(text);

    public static Integer I(long value) => new(value);

    public static ExEsdbGater.Beam.Terms.Tuple Tup(params Term[] items) => new(items);

    public static List L(params Term[] items) => items.Length == 0 ? List.Empty : new List(items);

    public static Map M(params (Term Key, Term Value)[] pairs) => new(pairs.Select(p => new KeyValuePair<Term, Term>(p.Key, p.Value)).ToArray());

    public static Term Decode(BeamVectors.Vector v) => EtfReader.Decode(v.Latin1);

    /// <summary>The struct map of a <c>{tag, struct}</c> term.</summary>
    public static Map Struct(Term message) => (Map)((ExEsdbGater.Beam.Terms.Tuple)message)[1];

    /// <summary>The message with one struct field replaced (or removed when <paramref name="value"/> is null).</summary>
    public static Term With(Term message, string key, Term? value)
    {
        var t = (ExEsdbGater.Beam.Terms.Tuple)message;
        var pairs = Struct(message).Pairs.Where(p => !(p.Key is Atom a && a.Name == key)).ToList();
        if (value is not null)
        {
            pairs.Add(new(A(key), value));
        }
        return Tup(t[0], SortedMap.Of(pairs));
    }

    /// <summary>An Elixir DateTime in UTC.</summary>
    public static Map DateTime(int year, int month, int day, int hour, int minute, int second, int micro, int precision)
        => M((A("__struct__"), A("Elixir.DateTime")), (A("calendar"), A("Elixir.Calendar.ISO")), (A("day"), I(day)), (A("hour"), I(hour)),
            (A("microsecond"), Tup(I(micro), I(precision))), (A("minute"), I(minute)), (A("month"), I(month)), (A("second"), I(second)),
            (A("std_offset"), I(0)), (A("time_zone"), B("Etc/UTC")), (A("utc_offset"), I(0)), (A("year"), I(year)), (A("zone_abbr"), B("UTC")));
}

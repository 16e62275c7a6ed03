using ExEsdbGater.Beam.Terms;

namespace ExEsdbGater.Beam.Mapping;

/// <summary>
/// Elixir's <c>%DateTime{}</c> struct ↔ <see cref="DateTimeOffset"/>, keeping microseconds. The original's timestamps
/// are UTC (<c>time_zone: "Etc/UTC"</c>); another zone is accepted by its offsets.
/// </summary>
internal static class ElixirDateTime
{
    public static readonly Atom StructAtom = Atom.Intern("Elixir.DateTime");
    public static readonly Atom IsoCalendar = Atom.Intern("Elixir.Calendar.ISO");
    private static readonly Atom StructKey = Atom.Intern("__struct__");

    public static bool IsDateTime(Term term) => term is Map m && m.TryGetValue("__struct__", out var s) && s.Equals(StructAtom);

    /// <summary>
    /// The struct the original's <c>DateTime.utc_now() |&gt; DateTime.truncate(:millisecond)</c> builds for this instant;
    /// the microsecond precision is 3 for a whole millisecond (as the original's timestamps are), else 6.
    /// </summary>
    public static Map ToTerm(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        var micro = (int)(utc.Ticks % TimeSpan.TicksPerSecond / 10);
        var precision = micro % 1000 == 0 ? 3 : 6;
        // written in term order of the keys, as the VM keeps them
        return new Map(
        [
            new(StructKey, StructAtom),
            new(Keys.Calendar, IsoCalendar),
            new(Keys.Day, new Integer(utc.Day)),
            new(Keys.Hour, new Integer(utc.Hour)),
            new(Keys.Microsecond, new Terms.Tuple(new Integer(micro), new Integer(precision))),
            new(Keys.Minute, new Integer(utc.Minute)),
            new(Keys.Month, new Integer(utc.Month)),
            new(Keys.Second, new Integer(utc.Second)),
            new(Keys.StdOffset, Zero),
            new(Keys.TimeZone, EtcUtc),
            new(Keys.UtcOffset, Zero),
            new(Keys.Year, new Integer(utc.Year)),
            new(Keys.ZoneAbbr, Utc),
        ]);
    }

    private static readonly Integer Zero = new(0);
    private static readonly Binary EtcUtc = Binary.Utf8("Etc/UTC");
    private static readonly Binary Utc = Binary.Utf8("UTC");

    private static class Keys
    {
        public static readonly Atom Calendar = Atom.Intern("calendar");
        public static readonly Atom Day = Atom.Intern("day");
        public static readonly Atom Hour = Atom.Intern("hour");
        public static readonly Atom Microsecond = Atom.Intern("microsecond");
        public static readonly Atom Minute = Atom.Intern("minute");
        public static readonly Atom Month = Atom.Intern("month");
        public static readonly Atom Second = Atom.Intern("second");
        public static readonly Atom StdOffset = Atom.Intern("std_offset");
        public static readonly Atom TimeZone = Atom.Intern("time_zone");
        public static readonly Atom UtcOffset = Atom.Intern("utc_offset");
        public static readonly Atom Year = Atom.Intern("year");
        public static readonly Atom ZoneAbbr = Atom.Intern("zone_abbr");
    }

    /// <summary>Reads a <c>%DateTime{}</c>; false with the problem when the term is not one.</summary>
    public static bool TryRead(Term term, out DateTimeOffset value, out string problem)
    {
        value = default;
        if (term is not Map m || !m.TryGetValue("__struct__", out var s) || !s.Equals(StructAtom))
        {
            problem = $"expected a %DateTime{{}}, not {TermText.Describe(term)}";
            return false;
        }
        if (!m.TryGetValue("calendar", out var cal) || !cal.Equals(IsoCalendar))
        {
            problem = "the DateTime's calendar is not Calendar.ISO";
            return false;
        }
        if (!Int(m, "year", 1, 9999, out var year, out problem) || !Int(m, "month", 1, 12, out var month, out problem)
            || !Int(m, "day", 1, 31, out var day, out problem) || !Int(m, "hour", 0, 23, out var hour, out problem)
            || !Int(m, "minute", 0, 59, out var minute, out problem) || !Int(m, "second", 0, 59, out var second, out problem)
            || !Int(m, "utc_offset", -86400, 86400, out var utcOffset, out problem) || !Int(m, "std_offset", -86400, 86400, out var stdOffset, out problem))
        {
            return false;
        }
        if (!m.TryGetValue("microsecond", out var us) || us is not Terms.Tuple { Arity: 2 } t
            || t[0] is not Integer mi || mi.Value < 0 || mi.Value > 999_999 || t[1] is not Integer p || p.Value < 0 || p.Value > 6)
        {
            problem = "the DateTime's microsecond is not {0..999999, 0..6}";
            return false;
        }
        if (day > DateTime.DaysInMonth((int)year, (int)month))
        {
            problem = "the DateTime's date does not exist";
            return false;
        }
        var local = new DateTime((int)year, (int)month, (int)day, (int)hour, (int)minute, (int)second, DateTimeKind.Unspecified).AddTicks((long)mi.Value * 10);
        var ticks = local.Ticks - ((utcOffset + stdOffset) * TimeSpan.TicksPerSecond);
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            problem = "the DateTime is out of range";
            return false;
        }
        value = new DateTimeOffset(ticks, TimeSpan.Zero);
        problem = "";
        return true;
    }

    private static bool Int(Map m, string key, long min, long max, out long value, out string problem)
    {
        value = 0;
        if (m.TryGetValue(key, out var t) && t is Integer i && i.TryGetInt64(out value) && value >= min && value <= max)
        {
            problem = "";
            return true;
        }
        problem = $"the DateTime's {key} is not an integer in {min}..{max}";
        return false;
    }
}

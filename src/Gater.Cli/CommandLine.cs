using ExEsdbGater;
using System.Globalization;
using System.Text;

namespace Gater.Cli;

/// <summary>A user's mistake on the command line: one line on stderr, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>One option of a command.</summary>
internal sealed record Opt(string Name, string? Value, string Help, bool Repeatable = false);

/// <summary>A command: its name, what it does, its options.</summary>
internal sealed record CommandSpec(string Name, string Summary, string Usage, IReadOnlyList<Opt> Options, string? Details = null)
{
    public string HelpText()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"gater {Name} — {Summary}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Usage: gater {Name} {Usage}");
        sb.AppendLine();
        sb.AppendLine("Options:");
        foreach (var o in Options.Append(new Opt("help", null, "Show this help.")))
        {
            var left = "--" + o.Name + (o.Value is null ? "" : " " + o.Value);
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {left,-28} {o.Help}{(o.Repeatable ? " (repeatable)" : "")}");
        }
        if (Details is not null)
        {
            sb.AppendLine();
            sb.AppendLine(Details);
        }
        return sb.ToString();
    }
}

/// <summary>Parsed options: <c>--name value</c>, <c>--name=value</c>, and flags.</summary>
internal sealed class ParsedArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly CommandSpec _spec;

    private ParsedArgs(CommandSpec spec) => _spec = spec;

    public bool Help { get; private set; }

    public static ParsedArgs Parse(CommandSpec spec, IReadOnlyList<string> args)
    {
        var parsed = new ParsedArgs(spec);
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a is "--help" or "-h")
            {
                parsed.Help = true;
                continue;
            }
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{a}' for 'gater {spec.Name}'; see 'gater {spec.Name} --help'");
            }
            var name = a[2..];
            string? inline = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }
            var opt = spec.Options.FirstOrDefault(o => o.Name == name)
                ?? throw new UsageException($"unknown option '--{name}' for 'gater {spec.Name}'; see 'gater {spec.Name} --help'");
            string value;
            if (opt.Value is null)
            {
                if (inline is not null)
                {
                    throw new UsageException($"'--{name}' takes no value");
                }
                value = "true";
            }
            else if (inline is not null)
            {
                value = inline;
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new UsageException($"'--{name}' needs a value: --{name} {opt.Value}");
            }
            if (!parsed._values.TryGetValue(name, out var list))
            {
                parsed._values[name] = list = [];
            }
            else if (!opt.Repeatable)
            {
                throw new UsageException($"'--{name}' is given twice");
            }
            list.Add(value);
        }
        return parsed;
    }

    public bool Flag(string name) => _values.ContainsKey(name);

    public string? Get(string name) => _values.TryGetValue(name, out var l) ? l[0] : null;

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var l) ? l : [];

    public string Required(string name)
        => Get(name) ?? throw new UsageException($"'gater {_spec.Name}' needs --{name}; see 'gater {_spec.Name} --help'");

    public long? Long(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        var s = Get(name);
        if (s is null)
        {
            return null;
        }
        if (!long.TryParse(s, NumberStyles.None | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new UsageException($"'--{name}' must be a whole number from {min} to {max}, not '{s}'");
        }
        return v;
    }

    public double? Double(string name, double min, double max)
    {
        var s = Get(name);
        if (s is null)
        {
            return null;
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < min || v > max || !double.IsFinite(v))
        {
            throw new UsageException($"'--{name}' must be a number from {min} to {max}, not '{s}'");
        }
        return v;
    }

    public TimeSpan? Duration(string name)
    {
        var s = Get(name);
        if (s is null)
        {
            return null;
        }
        var unit = s.TrimStart("0123456789.".ToCharArray());
        var number = s[..^unit.Length];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0)
        {
            throw new UsageException($"'--{name}' must be a duration such as 30s, 2m or 500ms, not '{s}'");
        }
        return unit switch
        {
            "" or "s" => TimeSpan.FromSeconds(n),
            "ms" => TimeSpan.FromMilliseconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => throw new UsageException($"'--{name}' must be a duration such as 30s, 2m or 500ms, not '{s}'"),
        };
    }

    public ExEsdbGater.GaterInstance Instance(string name = "instance")
    {
        var s = Required(name);
        return ExEsdbGater.GaterInstances.TryParse(s, out var i) ? i
            : throw new UsageException($"'{s}' is not an instance; one of: {string.Join(", ", ExEsdbGater.GaterInstances.All.Select(x => x.WireName()))}");
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using ExEsdbGater;

namespace Gater.Cli;

/// <summary>A user's mistake on the command line: one line on stderr, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A gater subcommand: System.CommandLine parses it; the help text keeps gater's own layout.</summary>
internal abstract class GaterCommand : Command
{
    protected GaterCommand(string name, string summary, string usage, string? details = null)
        : base(name, summary)
    {
        Usage = usage;
        Details = details;
        SetAction(RunAsync);
    }

    public string Usage { get; }

    public string? Details { get; }

    protected abstract Task<int> RunAsync(ParseResult args, CancellationToken ct);

    /// <summary>The value of an option the command cannot run without.</summary>
    protected T Required<T>(ParseResult args, Option<T> option)
        => args.GetResult(option) is { Implicit: false } && args.GetValue(option) is { } value ? value
            : throw new UsageException($"'gater {Name}' needs {option.Name}; see 'gater {Name} --help'");

    protected T Required<T>(ParseResult args, Option<T?> option)
        where T : struct
        => args.GetResult(option) is { Implicit: false } && args.GetValue(option) is { } value ? value
            : throw new UsageException($"'gater {Name}' needs {option.Name}; see 'gater {Name} --help'");

    public string HelpText()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"gater {Name} — {Description}");
        sb.AppendLine();
        sb.AppendLine($"Usage: gater {Name} {Usage}".TrimEnd());
        sb.AppendLine();
        sb.AppendLine("Options:");
        foreach (var o in Options.Where(o => !o.Hidden))
        {
            var left = o.Name + (o.Arity.MaximumNumberOfValues == 0 || o.HelpName is null ? "" : " " + o.HelpName);
            var repeatable = o.Arity.MaximumNumberOfValues > 1 ? " (repeatable)" : "";
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {left,-28} {o.Description}{repeatable}");
        }
        // --help is the root's recursive option, not one of this command's
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {"--help",-28} Show this help.");
        if (Details is not null)
        {
            sb.AppendLine();
            sb.AppendLine(Details);
        }
        return sb.ToString();
    }
}

/// <summary>Option factories: each option parses and range-checks its own value, so a bad value is a parse error.</summary>
internal static class Opt
{
    public static Option<string> Text(string name, string value, string help)
        => new(name) { HelpName = value, Description = help };

    public static Option<string[]> Many(string name, string value, string help)
        => new(name) { HelpName = value, Description = help, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };

    public static Option<bool> Flag(string name, string help)
        => new(name) { Description = help, Arity = ArgumentArity.Zero };

    public static Option<long?> Whole(string name, string value, string help, long min = long.MinValue, long max = long.MaxValue)
        => new(name)
        {
            HelpName = value,
            Description = help,
            CustomParser = r => Single(r) is { } s && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? v : Fail<long?>(r, $"'{name}' must be a whole number from {min} to {max}, not '{Shown(r)}'"),
        };

    public static Option<double?> Number(string name, string value, string help, double min, double max)
        => new(name)
        {
            HelpName = value,
            Description = help,
            CustomParser = r => Single(r) is { } s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= min && v <= max
                ? v : Fail<double?>(r, $"'{name}' must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{Shown(r)}'"),
        };

    public static Option<TimeSpan?> Duration(string name, string value, string help)
        => new(name)
        {
            HelpName = value,
            Description = help,
            CustomParser = r => Single(r) is { } s && ParseDuration(s) is { } d && d > TimeSpan.Zero
                ? d : Fail<TimeSpan?>(r, $"'{name}' must be a duration above zero such as 30s, 2m or 500ms, not '{Shown(r)}'"),
        };

    public static Option<GaterInstance?> Instance(string help)
    {
        var names = GaterInstances.All.Select(i => i.WireName()).ToArray();
        var o = new Option<GaterInstance?>("--instance")
        {
            HelpName = "I",
            Description = help,
            CustomParser = r => Single(r) is { } s && GaterInstances.TryParse(s, out var i)
                ? i : Fail<GaterInstance?>(r, $"'{Shown(r)}' is not an instance; one of: {string.Join(", ", names)}"),
        };
        o.CompletionSources.Add(names);
        return o;
    }

    private static TimeSpan? ParseDuration(string s)
    {
        var unit = s.TrimStart("0123456789.".ToCharArray());
        if (!double.TryParse(s[..^unit.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }
        return unit switch
        {
            "" or "s" => TimeSpan.FromSeconds(n),
            "ms" => TimeSpan.FromMilliseconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => null,
        };
    }

    // System.CommandLine hands every token of a repeated option to the parser: report the repeat, not the value
    private static string? Single(ArgumentResult r) => r.Tokens.Count == 1 ? r.Tokens[0].Value : null;

    private static string Shown(ArgumentResult r) => r.Tokens.Count == 1 ? Cli.Abbreviate(r.Tokens[0].Value) : "";

    private static T? Fail<T>(ArgumentResult r, string message)
    {
        var name = ((OptionResult)r.Parent!).Option.Name;
        r.AddError(r.Tokens.Count > 1 ? $"'{name}' is given twice" : message);
        return default;
    }
}

using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace ExEsdbGater;

/// <summary>Node names: <c>name@host</c>, validated and resolved for this process.</summary>
public static class NodeName
{
    /// <summary>The environment variable that names this node.</summary>
    public const string EnvironmentVariable = "EXG_NODE_NAME";

    private static readonly SearchValues<char> NameChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-");
    private static readonly SearchValues<char> HostChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");

    /// <summary>True when <paramref name="value"/> is <c>name@host</c> with name <c>[A-Za-z0-9_.+-]{1,128}</c> and host <c>[A-Za-z0-9_.-]{1,253}</c>.</summary>
    public static bool IsValid(ReadOnlySpan<char> value)
    {
        var at = value.IndexOf('@');
        if (at <= 0 || at > 128)
        {
            return false;
        }
        var name = value[..at];
        var host = value[(at + 1)..];
        return host.Length is >= 1 and <= 253 && !name.ContainsAnyExcept(NameChars) && !host.ContainsAnyExcept(HostChars);
    }

    /// <summary>True when the string is a valid node name (null is not).</summary>
    public static bool IsValid(string? value) => value is not null && IsValid(value.AsSpan());

    /// <summary>
    /// This node's name: <paramref name="configured"/> if given, else <c>EXG_NODE_NAME</c>, else
    /// <c>&lt;process name&gt;@&lt;host name&gt;</c> made valid.
    /// </summary>
    /// <exception cref="GaterConfigurationException">A configured or environment name is not a valid node name.</exception>
    public static string Resolve(string? configured = null)
    {
        if (configured is not null)
        {
            return IsValid(configured) ? configured
                : throw new GaterConfigurationException($"The configured node name '{configured}' is not a valid node name (name@host, name [A-Za-z0-9_.+-]{{1,128}}, host [A-Za-z0-9_.-]{{1,253}}).");
        }
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env))
        {
            return IsValid(env) ? env
                : throw new GaterConfigurationException($"{EnvironmentVariable}='{env}' is not a valid node name (name@host, name [A-Za-z0-9_.+-]{{1,128}}, host [A-Za-z0-9_.-]{{1,253}}).");
        }
        string process;
        try
        {
            using var p = Process.GetCurrentProcess();
            process = p.ProcessName;
        }
        catch (InvalidOperationException)
        {
            process = "dotnet";
        }
        return FromParts(process, Environment.MachineName);
    }

    /// <summary>Builds a valid node name from any two strings by replacing disallowed characters with <c>_</c>.</summary>
    public static string FromParts(string name, string host)
    {
        var n = Sanitize(name, NameChars, 128, "node");
        var h = Sanitize(host, HostChars, 253, "localhost");
        return n + "@" + h;
    }

    private static string Sanitize(string? s, SearchValues<char> allowed, int max, string fallback)
    {
        if (string.IsNullOrEmpty(s))
        {
            return fallback;
        }
        var sb = new StringBuilder(Math.Min(s.Length, max));
        foreach (var c in s)
        {
            if (sb.Length == max)
            {
                break;
            }
            sb.Append(allowed.Contains(c) ? c : '_');
        }
        return sb.ToString();
    }
}

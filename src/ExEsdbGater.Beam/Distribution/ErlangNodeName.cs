namespace ExEsdbGater.Beam.Distribution;

/// <summary>A node name <c>alive@host</c>, split.</summary>
internal sealed record ErlangNodeName(string Alive, string Host)
{
    public string Full => Alive + "@" + Host;

    public override string ToString() => Full;

    /// <summary>
    /// Parses <paramref name="name"/>. A name without '@' gets <paramref name="defaultHost"/>. Short names must have a
    /// host without dots, long names one with a dot or an IP address (as erl's -sname/-name checks).
    /// </summary>
    public static ErlangNodeName Parse(string name, bool longNames, string? defaultHost = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var at = name.IndexOf('@', StringComparison.Ordinal);
        var alive = at < 0 ? name : name[..at];
        var host = at < 0 ? defaultHost ?? DefaultHost(longNames) : name[(at + 1)..];
        if (alive.Length == 0 || alive.Length > 255 || !alive.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new DistributionException(DistributionError.BadNodeName, $"bad node name '{name}': the part before '@' must be 1-255 letters, digits, '_' or '-'");
        }
        if (host.Length == 0 || host.Contains('@', StringComparison.Ordinal))
        {
            throw new DistributionException(DistributionError.BadNodeName, $"bad node name '{name}': no host after '@'");
        }
        if (!longNames && host.Contains('.', StringComparison.Ordinal))
        {
            throw new DistributionException(DistributionError.BadNodeName, $"bad node name '{name}': a short name's host has no dots (use long names)");
        }
        return new ErlangNodeName(alive, host);
    }

    /// <summary>The local host as erl would name it: short host name, or the fully qualified one for long names.</summary>
    public static string DefaultHost(bool longNames)
    {
        var host = System.Net.Dns.GetHostName();
        if (longNames)
        {
            try
            {
                var fq = System.Net.Dns.GetHostEntry(host).HostName;
                return fq.Contains('.', StringComparison.Ordinal) ? fq : host;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return host;
            }
        }
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? host : host[..dot];
    }
}

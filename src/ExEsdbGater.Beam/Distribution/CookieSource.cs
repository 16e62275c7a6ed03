namespace ExEsdbGater.Beam.Distribution;

/// <summary>Finds the cookie: options, else env EXG_BEAM_COOKIE, else ~/.erlang.cookie.</summary>
internal static class CookieSource
{
    public const string EnvironmentVariable = "EXG_BEAM_COOKIE";

    public static string Resolve(string? fromOptions)
    {
        if (!string.IsNullOrEmpty(fromOptions))
        {
            return fromOptions;
        }
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }
        var file = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".erlang.cookie");
        try
        {
            var text = File.ReadAllText(file).Trim();
            if (text.Length > 0)
            {
                return text;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        throw new DistributionException(DistributionError.NoCookie, $"no Erlang cookie: set it in the options, in {EnvironmentVariable}, or in {file}");
    }
}

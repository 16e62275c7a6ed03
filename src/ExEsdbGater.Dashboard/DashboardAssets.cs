namespace ExEsdbGater.Dashboard;

/// <summary>The page, its script and its style, read once from the assembly's resources.</summary>
internal static class DashboardAssets
{
    private static readonly Lazy<byte[]> Html = new(() => Read("index.html"));
    private static readonly Lazy<byte[]> Script = new(() => Read("app.js"));
    private static readonly Lazy<byte[]> Style = new(() => Read("app.css"));

    public static byte[] Page => Html.Value;

    public static byte[] Js => Script.Value;

    public static byte[] Css => Style.Value;

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("ExEsdbGater.Dashboard." + name)
            ?? throw new InvalidOperationException($"the dashboard's resource {name} is missing from the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

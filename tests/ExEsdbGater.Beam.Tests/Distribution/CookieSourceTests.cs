using ExEsdbGater.Beam.Distribution;

namespace ExEsdbGater.Beam.Tests.Distribution;

public sealed class CookieSourceTests
{
    [Fact]
    public void Options_win_over_the_environment_which_wins_over_the_file()
    {
        var saved = Environment.GetEnvironmentVariable(CookieSource.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(CookieSource.EnvironmentVariable, "from_env");
            Assert.Equal("from_options", CookieSource.Resolve("from_options"));
            Assert.Equal("from_env", CookieSource.Resolve(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable(CookieSource.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void Digest_is_md5_of_cookie_and_decimal_challenge()
    {
        var expected = System.Security.Cryptography.MD5.HashData("secret4294967295"u8.ToArray());
        Assert.Equal(expected, Handshake.Digest(uint.MaxValue, "secret"));
    }
}

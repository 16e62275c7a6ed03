using System.Globalization;
using System.Text.Json;

namespace Gater.Cli.Tests;

/// <summary>
/// The demo publishes at the rate asked, at any rate, for its whole duration: the on-call node's acks never stall it
/// (they used to be published from inside the alert handler, waiting on that handler's own full queue).
/// </summary>
public sealed class DemoRateTests
{
    private const string Secret = "demo-rate-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task At_2000_a_second_the_demo_keeps_publishing_to_the_end_and_no_faster_than_asked(bool overRedis)
    {
        const int rate = 2000;
        RedisServer? redis = null;
        var args = new List<string> { "demo", "--json", "--rate", rate.ToString(CultureInfo.InvariantCulture), "--duration", "3s" };
        var env = new Dictionary<string, string?>();
        if (overRedis)
        {
            redis = new RedisServer();
            await redis.InitializeAsync();
            args.AddRange(["--redis", redis.ConnectionString, "--node-name", "rate@test"]);
            env["SECRET_KEY_BASE"] = Secret;
        }
        try
        {
            var (code, output, err) = await GaterProcess.RunAsync(args, env, [], TimeSpan.FromSeconds(120));
            Assert.True(code == 0, string.Join("\n", err));
            var lines = output.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            var summary = lines[^1];
            Assert.True(summary.GetProperty("summary").GetBoolean());
            var nodes = summary.GetProperty("nodes").GetArrayLength();
            var stamps = lines[..^1].Where(l => l.TryGetProperty("ok", out var ok) && ok.GetBoolean()).Select(l => l.GetProperty("ts").GetInt64()).ToArray();
            var first = stamps.Min();
            // the third second carries a fair share of the traffic (a quarter of the mean per second): not stalled
            var third = stamps.Count(t => t > first + 2000 && t <= first + 3000);
            Assert.True(third >= stamps.Length / 3 / 4, $"{third} of {stamps.Length} messages in the third second (the last at {stamps.Max() - first} ms): publishing stalled");
            // throttled: a step publishes about 0.7 messages on average, so one per step (plus the start-up reports)
            // over the whole run, set-up included, is a generous ceiling
            var seconds = summary.GetProperty("seconds").GetDouble();
            var ceiling = (nodes * rate * seconds) + (nodes * 30);
            Assert.True(stamps.Length <= ceiling, $"{stamps.Length} messages from {nodes} node(s) in {seconds} s at --rate {rate}: not throttled");
        }
        finally
        {
            if (redis is not null)
            {
                await redis.DisposeAsync();
            }
        }
    }
}

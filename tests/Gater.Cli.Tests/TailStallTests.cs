using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gater.Cli.Tests;

/// <summary>
/// gater tail with an output nobody reads for a while, during a flood of forged frames: every honest message still
/// comes out once the reader drains, and dropped rejections are announced on stderr with counts.
/// </summary>
public sealed partial class TailStallTests
{
    private const string Secret = "tail-stall-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    private const int Flood = 30_000;

    [Fact]
    public async Task A_stalled_tail_loses_no_message_to_a_flood_of_rejections_and_announces_what_it_drops()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        var env = new Dictionary<string, string?> { ["SECRET_KEY_BASE"] = Secret };
        using var tail = StartUnread(["tail", "--json", "--instance", "ex_esdb_metrics", "--topic", "*", "--redis", redis.ConnectionString], env);
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (!tail.Errors.Any(l => l.StartsWith("following", StringComparison.Ordinal)))
            {
                Assert.False(tail.Process.HasExited, string.Join(" | ", tail.Errors));
                await Task.Delay(100, cts.Token);
            }
            // honest traffic for 4 s (well beyond a pipe buffer of metrics lines); a forger floods the same instance
            using var publisher = GaterProcess.Start(["demo", "--json", "--no-rogue", "--rate", "500", "--duration", "4s", "--redis", redis.ConnectionString, "--node-name", "pub@test"], env);
            await Task.Delay(1500, cts.Token);
            await FloodAsync(redis.Port, "exg:ex_esdb_metrics:flood", Flood);
            await publisher.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(publisher.ExitCode == 0, string.Join("\n", publisher.Errors));
            var sent = publisher.Output.Select(l => JsonDocument.Parse(l).RootElement)
                .Where(l => l.TryGetProperty("instance", out var i) && i.GetString() == "ex_esdb_metrics" && l.GetProperty("ok").GetBoolean())
                .Select(l => l.GetProperty("id").GetString()!).ToHashSet();
            Assert.True(sent.Count > 200, $"only {sent.Count} metrics messages published");

            // now read: everything the publisher sent comes out, after whatever rejections were kept
            var ids = new HashSet<string>();
            var rejectionLines = 0;
            var stdout = tail.Process.StandardOutput;
            while (!sent.IsSubsetOf(ids))
            {
                var line = await stdout.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("tail ended: " + string.Join(" | ", tail.Errors));
                var json = JsonDocument.Parse(line).RootElement;
                if (json.GetProperty("ok").GetBoolean())
                {
                    ids.Add(json.GetProperty("id").GetString()!);
                }
                else
                {
                    rejectionLines++;
                }
            }
            using (var kill = Process.Start("bash", ["-c", "kill -INT " + tail.Process.Id.ToString(CultureInfo.InvariantCulture)])!) // bash's own kill: no procps needed
            {
                await kill.WaitForExitAsync(cts.Token);
            }
            while (await stdout.ReadLineAsync(cts.Token) is { } rest)
            {
                rejectionLines += rest.Contains("\"ok\":false", StringComparison.Ordinal) ? 1 : 0;
            }
            await tail.Process.WaitForExitAsync(cts.Token);
            Assert.Equal(0, tail.Process.ExitCode);

            // the flood did not fit: the drop was announced, and the numbers add up
            Assert.True(rejectionLines < Flood, $"{rejectionLines} rejection lines: the output never fell behind");
            var notice = tail.Errors.LastOrDefault(l => l.StartsWith("gater tail: output too slow: ", StringComparison.Ordinal));
            Assert.True(notice is not null, "no drop notice on stderr: " + string.Join(" | ", tail.Errors));
            var m = NoticeCounts().Match(notice);
            Assert.True(m.Success, notice);
            var dropped = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var total = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.Equal(total, dropped + rejectionLines);
            Assert.DoesNotContain("message(s) dropped", notice, StringComparison.Ordinal);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    [GeneratedRegex(@"output too slow: (\d+) of (\d+) rejection\(s\) not shown")]
    private static partial Regex NoticeCounts();

    /// <summary>A forger without the secret: garbage published straight to Redis, pipelined.</summary>
    private static async Task FloodAsync(int port, string channel, int count)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        var payload = "exg1.forged.not-a-signature.{}";
        var command = Encoding.ASCII.GetBytes($"*3\r\n$7\r\nPUBLISH\r\n${channel.Length}\r\n{channel}\r\n${payload.Length}\r\n{payload}\r\n");
        var reading = Task.Run(async () =>
        {
            // each reply is ":<receivers>\r\n"; read them all so that Redis never blocks on us
            var buf = new byte[65536];
            var lines = 0;
            while (lines < count)
            {
                var n = await stream.ReadAsync(buf);
                if (n == 0)
                {
                    break;
                }
                lines += buf.AsSpan(0, n).Count((byte)'\n');
            }
        });
        var batch = new byte[command.Length * 1000];
        for (var i = 0; i < 1000; i++)
        {
            command.CopyTo(batch, i * command.Length);
        }
        for (var sent = 0; sent < count; sent += 1000)
        {
            await stream.WriteAsync(batch);
        }
        await reading.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>A gater process whose standard output nobody reads until the test does.</summary>
    private sealed class Unread(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public ConcurrentQueue<string> Errors { get; } = new();

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
            Process.Dispose();
        }
    }

    private static Unread StartUnread(IEnumerable<string> args, IDictionary<string, string?> env)
    {
        var p = new Unread(Process.Start(GaterProcess.StartInfo(args, env))!);
        p.Process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                p.Errors.Enqueue(e.Data);
            }
        };
        p.Process.BeginErrorReadLine();
        p.Process.StandardInput.Close();
        return p;
    }
}

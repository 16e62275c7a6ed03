using System.Collections.Concurrent;
using System.Text;
using ExEsdbGater;

namespace Gater.Cli.Demo;

/// <summary>
/// A publisher without the cluster secret: it forges, tampers with, replays, re-routes, holds back and strips
/// frames it overhears on the backplane. Every one of them must be rejected.
/// </summary>
internal sealed class Rogue(IGaterBackplane backplane, string clusterKid, TimeSpan maxAge)
{
    private static readonly string[] Attacks = ["forged", "unknown_key", "tampered", "replayed", "wrong_topic", "unsigned", "garbage"];
    private readonly ConcurrentQueue<(byte[] Frame, GaterInstance Instance, string Topic, DateTimeOffset Seen)> _overheard = new();
    private readonly KeyRing _forger = KeyRing.Of(GaterKey.FromSecret("rogue-guess-0123456789-abcdefghijklmnopqrstuvwxyz", clusterKid));
    private readonly KeyRing _ownKey = KeyRing.Of(GaterKey.FromSecret("rogue-own-key-0123456789-abcdefghijklmnopqrstuvwxyz", "rogue"));
    private readonly ConcurrentDictionary<string, byte> _mine = new(StringComparer.Ordinal);
    private long _sent;
    private DateTimeOffset _lastExpired;
    private DateTimeOffset _lastHeld;
    private readonly ConcurrentQueue<(byte[] Frame, GaterInstance Instance, string Topic, DateTimeOffset Seen)> _heldBack = new();

    // The header up to the end of the signature names a frame well enough to skip the rogue's own.
    private static string HeaderOf(ReadOnlySpan<byte> frame) => Encoding.ASCII.GetString(frame[..Math.Min(frame.Length, 120)]);

    public long Sent => Interlocked.Read(ref _sent);

    public async Task RunAsync(TimeSpan interval, CancellationToken ct)
    {
        await using var tap = await backplane.SubscribeAsync(GaterInstance.Health, "*", (i, t, f) =>
        {
            if (_mine.ContainsKey(HeaderOf(f.Span)))
            {
                return;
            }
            var seen = DateTimeOffset.UtcNow;
            _overheard.Enqueue((f.ToArray(), i, t, seen));
            if (seen - _lastHeld > TimeSpan.FromSeconds(1))
            {
                // a few frames held back for later, whatever the traffic rate
                _lastHeld = seen;
                _heldBack.Enqueue((f.ToArray(), i, t, seen));
                while (_heldBack.Count > 20 && _heldBack.TryDequeue(out _))
                {
                }
            }
            while (_overheard.Count > 500 && _overheard.TryDequeue(out _))
            {
            }
        }, ct);
        var i = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, ct);
                // a held-back frame becomes usable once it is older than the max age; use it then, once a second
                var old = _heldBack.TryPeek(out var oldest) && DateTimeOffset.UtcNow - oldest.Seen > maxAge + TimeSpan.FromSeconds(1);
                if (old && DateTimeOffset.UtcNow - _lastExpired > TimeSpan.FromSeconds(1))
                {
                    _lastExpired = DateTimeOffset.UtcNow;
                    await AttackAsync("expired", ct);
                }
                else
                {
                    await AttackAsync(Attacks[i++ % Attacks.Length], ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task AttackAsync(string attack, CancellationToken ct)
    {
        var fake = HealthMessages.NodeHealth("gater1@demo", NodeHealthStatus.Unhealthy, loadAvg: 99, messageContext: new MessageContext("rogue@evil"));
        var envelope = new Envelope(GaterInstance.Health, "cluster:health", fake.Tag, ElixirCompat.GenerateMessageId("rogue"), "gater1@demo", 1, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var recent = _overheard.LastOrDefault();
        byte[]? frame = null;
        var topic = "cluster:health";
        switch (attack)
        {
            case "forged":
                frame = FrameEncoder.Encode(_forger, envelope, fake);
                break;
            case "unknown_key":
                frame = FrameEncoder.Encode(_ownKey, envelope, fake);
                break;
            case "unsigned":
                frame = FrameEncoder.Encode(KeyRing.UnsignedDevelopment, envelope, fake);
                break;
            case "garbage":
                frame = Encoding.UTF8.GetBytes("exg1.deadbeef.not-a-signature.{\"v\":1}");
                break;
            case "tampered" when recent.Frame is not null:
                frame = (byte[])recent.Frame.Clone();
                var at = Array.LastIndexOf(frame, (byte)'"', frame.Length - 5);
                frame[at - 1] ^= 0x01;
                topic = recent.Topic;
                break;
            case "replayed" when recent.Frame is not null:
                frame = recent.Frame;
                topic = recent.Topic;
                break;
            case "wrong_topic" when recent.Frame is not null:
                frame = recent.Frame;
                topic = recent.Topic == "cluster:alerts" ? "cluster:health" : "cluster:alerts";
                break;
            case "expired":
                var old = _heldBack.LastOrDefault(o => DateTimeOffset.UtcNow - o.Seen > maxAge + TimeSpan.FromSeconds(1));
                if (old.Frame is not null)
                {
                    frame = old.Frame;
                    topic = old.Topic;
                }
                break;
        }
        if (frame is not null)
        {
            if (_mine.Count > 10_000)
            {
                _mine.Clear();
            }
            _mine.TryAdd(HeaderOf(frame), 0);
            await backplane.PublishAsync(GaterInstance.Health, topic, frame, ct);
            Interlocked.Increment(ref _sent);
        }
    }
}

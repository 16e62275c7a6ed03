using System.Text;
using ExEsdbGater;
using ExEsdbGater.Tests.Catalog;
using Microsoft.Extensions.Time.Testing;

namespace ExEsdbGater.Tests.Frames;

public sealed class VerifierTests
{
    private static readonly GaterKey Key = GaterKey.FromSecret(FrameTestKit.Secret);
    private static readonly KeyRing Ring = KeyRing.Of(Key);

    private static VerifyResult Verify(string body, FrameVerifier? v = null)
        => (v ?? FrameTestKit.Verifier(Ring)).Verify(FrameTestKit.SignRaw(Key, body), GaterInstance.Health, "cluster:health");

    [Fact]
    public void A_well_formed_signed_body_is_accepted()
    {
        Assert.True(Verify(FrameTestKit.Body(FrameTestKit.HealthPayload)).IsOk);
    }

    [Theory]
    [InlineData("{\"a\":1,\"a\":2}")]
    [InlineData("{\"a\":{\"b\":1,\"b\":1}}")]
    [InlineData("{\"a\":[{\"c\":1,\"c\":2}]}")]
    [InlineData("{\"a\":1,\"\\u0061\":2}")]
    public void Duplicate_members_at_any_depth_are_invalid_format(string extra)
    {
        var body = FrameTestKit.Body(FrameTestKit.HealthPayload, extra: ",\"x\":" + extra);
        Assert.Equal(RejectReason.InvalidFormat, Verify(body).Reason);
    }

    [Fact]
    public void Duplicate_members_in_a_large_object_are_found()
    {
        var members = string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"k{i}\":{i}"));
        Assert.True(Verify(FrameTestKit.Body(FrameTestKit.HealthPayload, extra: ",\"x\":{" + members + "}")).IsOk);
        var dup = members + ",\"k4321\":0";
        Assert.Equal(RejectReason.InvalidFormat, Verify(FrameTestKit.Body(FrameTestKit.HealthPayload, extra: ",\"x\":{" + dup + "}")).Reason);
    }

    [Fact]
    public void The_same_name_in_sibling_objects_is_not_a_duplicate()
    {
        Assert.True(Verify(FrameTestKit.Body(FrameTestKit.HealthPayload, extra: ",\"x\":[{\"a\":1},{\"a\":2}],\"y\":{\"a\":{\"a\":1}}")).IsOk);
    }

    [Theory]
    [InlineData("\"\\ud800\"")]
    [InlineData("\"\\udc00\"")]
    [InlineData("\"a\\ud800b\"")]
    [InlineData("\"\\ud800\\u0041\"")]
    public void Escaped_lone_surrogates_are_invalid_format(string value)
    {
        Assert.Equal(RejectReason.InvalidFormat, Verify(FrameTestKit.Body(FrameTestKit.HealthPayload, extra: ",\"x\":" + value)).Reason);
        Assert.Equal(RejectReason.InvalidFormat, Verify(FrameTestKit.Body(FrameTestKit.HealthPayload, extra: ",\"x\":{" + value + ":1}")).Reason);
    }

    [Fact]
    public void A_paired_surrogate_escape_is_fine()
    {
        Assert.True(Verify(FrameTestKit.Body(FrameTestKit.HealthPayload, extra: ",\"x\":\"\\ud83d\\ude00\"")).IsOk);
    }

    [Fact]
    public void Hostile_nesting_is_rejected_without_exhausting_the_stack()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);
        Assert.Equal(RejectReason.InvalidFormat, Verify(FrameTestKit.Body(FrameTestKit.HealthPayload, extra: ",\"x\":" + deep)).Reason);
    }

    [Theory]
    [InlineData("\"v\":1,", "\"v\":2,")]
    [InlineData("\"epoch\":1,", "\"epoch\":-1,")]
    [InlineData("\"seq\":1,", "\"seq\":0,")]
    [InlineData("\"seq\":1,", "\"seq\":9007199254740992,")]
    [InlineData("\"seq\":1,", "\"seq\":1e0,")]
    [InlineData("\"id\":\"m1\"", "\"id\":\"m 1\"")]
    [InlineData("\"id\":\"m1\"", "\"id\":\"\"")]
    [InlineData("\"node\":\"gater1@host-a\"", "\"node\":\"gater1\"")]
    [InlineData("\"type\":\"node_health_updated\"", "\"type\":\"Node_health\"")]
    [InlineData("\"instance\":\"ex_esdb_health\",", "")]
    [InlineData("\"v\":1,", "\"v\":\"1\",")]
    public void Envelope_members_breaking_their_rules_are_invalid_format(string from, string to)
    {
        var body = FrameTestKit.Body(FrameTestKit.HealthPayload).Replace(from, to, StringComparison.Ordinal);
        Assert.Equal(RejectReason.InvalidFormat, Verify(body).Reason);
    }

    [Fact]
    public void Unknown_extra_members_and_any_member_order_are_accepted()
    {
        var body = "{\"payload\":" + FrameTestKit.HealthPayload + ",\"extra\":[1,{\"q\":null}],\"ts\":" + (FrameTestKit.Now.ToUnixTimeMilliseconds() - 5)
            + ",\"seq\":3,\"epoch\":9,\"node\":\"gater1@host-a\",\"id\":\"zz\",\"type\":\"node_health_updated\",\"topic\":\"cluster:health\",\"instance\":\"ex_esdb_health\",\"v\":1}";
        var r = Verify(body);
        Assert.True(r.IsOk, r.Detail);
        Assert.Equal(3, r.Envelope!.Seq);
    }

    [Theory]
    [InlineData("\"load_avg\":0.5", "\"load_avg\":\"0.5\"")]
    [InlineData("\"checks\":{}", "\"checks\":[]")]
    [InlineData("\"status\":\"healthy\"", "\"status\":null")]
    [InlineData("\"timestamp\":\"2026-11-27T04:00:00.123Z\"", "\"timestamp\":\"2026-02-30T04:00:00Z\"")]
    public void Payload_breaking_its_type_is_invalid_payload(string from, string to)
    {
        var payload = FrameTestKit.HealthPayload.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(FrameTestKit.HealthPayload, payload);
        Assert.Equal(RejectReason.InvalidPayload, Verify(FrameTestKit.Body(payload)).Reason);
    }

    [Fact]
    public void Integer_fields_refuse_fractions_and_exponents()
    {
        var body = FrameTestKit.Body("{\"check_name\":\"c\",\"node\":\"a@b\",\"result\":\"pass\",\"duration_ms\":1.0,\"details\":{},\"error\":null,\"timestamp\":\"2026-11-27T04:00:00Z\"}", type: "health_check_completed");
        Assert.Equal(RejectReason.InvalidPayload, Verify(body).Reason);
        Assert.True(Verify(body.Replace("1.0", "15", StringComparison.Ordinal)).IsOk);
    }

    [Fact]
    public void Replay_memory_forgets_after_max_age_and_then_the_frame_is_expired()
    {
        var clock = new FakeTimeProvider(FrameTestKit.Now);
        var v = FrameTestKit.Verifier(Ring, clock);
        var frame = FrameTestKit.SignRaw(Key, FrameTestKit.Body(FrameTestKit.HealthPayload));
        Assert.True(v.Verify(frame, GaterInstance.Health, "cluster:health").IsOk);
        Assert.Equal(RejectReason.Replayed, v.Verify(frame, GaterInstance.Health, "cluster:health").Reason);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(RejectReason.Expired, v.Verify(frame, GaterInstance.Health, "cluster:health").Reason);
    }

    [Fact]
    public void A_full_replay_memory_evicts_early_and_reports_it()
    {
        var v = FrameTestKit.Verifier(Ring, replayCapacity: 2);
        long reported = 0;
        v.ReplayEvicted += n => reported = n;
        for (var i = 0; i < 3; i++)
        {
            Assert.True(Verify(FrameTestKit.Body(FrameTestKit.HealthPayload, id: "id" + i), v).IsOk);
        }
        Assert.Equal(1, v.ReplayForcedEvictions);
        Assert.Equal(1, reported);
        // id0 was forgotten early: a replay of it is no longer caught — which is why eviction is reported.
        Assert.True(Verify(FrameTestKit.Body(FrameTestKit.HealthPayload, id: "id0"), v).IsOk);
        Assert.Equal(RejectReason.Replayed, Verify(FrameTestKit.Body(FrameTestKit.HealthPayload, id: "id2"), v).Reason);
    }

    [Fact]
    public void Rejections_are_counted_by_reason_and_observable_with_the_frame()
    {
        var v = FrameTestKit.Verifier(Ring);
        var seen = new List<FrameRejection>();
        v.Rejected += seen.Add;
        var bad = Encoding.UTF8.GetBytes("exg1.nope");
        v.Verify(bad, GaterInstance.Health, "cluster:health");
        var good = FrameTestKit.SignRaw(Key, FrameTestKit.Body(FrameTestKit.HealthPayload));
        v.Verify(good, GaterInstance.Health, "cluster:health");
        v.Verify(good, GaterInstance.Health, "cluster:health");
        Assert.Equal(1, v.RejectedCount(RejectReason.InvalidFormat));
        Assert.Equal(1, v.RejectedCount(RejectReason.Replayed));
        Assert.Equal(2, v.TotalRejected);
        Assert.Equal(1, v.AcceptedCount);
        Assert.Equal(2, seen.Count);
        Assert.Equal(bad, seen[0].Frame.ToArray());
        Assert.Equal(good, seen[1].Frame.ToArray());
        Assert.Equal("m1", seen[1].Envelope!.Id);
        Assert.Equal(RejectReason.Replayed, seen[1].Reason);
    }

    [Fact]
    public void Non_canonical_signature_characters_do_not_verify()
    {
        var frame = FrameTestKit.SignRaw(Key, FrameTestKit.Body(FrameTestKit.HealthPayload));
        var text = Encoding.UTF8.GetString(frame);
        var sigEnd = text.IndexOf('.', 14) - 1; // last signature character
        var c = text[sigEnd];
        // The last of 43 base64url characters carries 2 unused bits: a sibling character decodes to the same MAC.
        var sibling = (char)(c ^ 1);
        var mutated = text[..sigEnd] + sibling + text[(sigEnd + 1)..];
        var r = FrameTestKit.Verifier(Ring).Verify(Encoding.UTF8.GetBytes(mutated), GaterInstance.Health, "cluster:health");
        Assert.False(r.IsOk);
    }

    [Fact]
    public void Wire_names_of_reasons_match_the_spec()
    {
        Assert.Equal(
            ["too_large", "invalid_format", "unsecured_message_rejected", "no_secret_configured", "unknown_key", "invalid_signature", "topic_mismatch", "expired", "from_future", "replayed", "unknown_type", "invalid_payload",
                // implementation-local (a shared replay store that cannot answer), after the spec's reasons
                "replay_store_unavailable"],
            RejectReasons.All.Select(r => r.WireName()));
    }
}

public sealed class ReplayCacheTests
{
    [Fact]
    public void A_million_distinct_pairs_are_all_new_and_each_repeat_is_caught()
    {
        var cache = new ReplayCache(2_000_000);
        for (var i = 0; i < 1_000_000; i++)
        {
            Assert.True(cache.TryAdd(ReplayCache.KeyOf("gater1@host-a", "msg_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)), 10, 0, out _), $"pair {i} taken for a repeat");
        }
        Assert.Equal(1_000_000, cache.Count);
        Assert.True(cache.Contains(ReplayCache.KeyOf("gater1@host-a", "msg_123456"), 0));
        Assert.False(cache.Contains(ReplayCache.KeyOf("gater1@host-b", "msg_123456"), 0));
        Assert.False(cache.TryAdd(ReplayCache.KeyOf("gater1@host-a", "msg_999999"), 10, 0, out _));
        Assert.Equal(0, cache.ForcedEvictions);
    }

    [Fact]
    public void The_table_and_the_ring_grow_into_memory_prepared_before_they_need_it()
    {
        var cache = new ReplayCache(1_000_000);
        var waited = 0;
        for (var i = 1UL; i <= 300_000; i++)
        {
            Assert.True(cache.TryAdd(i * 0x9E3779B97F4A7C15UL, long.MaxValue, 0, out _));
            // the memory is prepared on a pool thread: given the time it needs, as a quarter of a growth's entries give it
            if (cache.PreparingSpares)
            {
                waited++;
                Assert.True(SpinWait.SpinUntil(() => !cache.PreparingSpares, TimeSpan.FromSeconds(30)));
            }
        }
        // from 8,192 slots and a 4,096-entry ring to 1,048,576 and 524,288: every growth found its memory ready
        Assert.True(waited > 0);
        Assert.Equal(0, cache.GrownUnprepared);
        Assert.Equal(300_000, cache.Count);
        Assert.False(cache.TryAdd(unchecked(77 * 0x9E3779B97F4A7C15UL), long.MaxValue, 0, out _));
    }

    [Fact]
    public void Memory_wanted_for_growing_under_a_hold_is_prepared_once_the_hold_ends()
    {
        var cache = new ReplayCache(1_000_000);
        var next = 1UL;
        // 8,192 slots: memory for 16,384 is wanted from 3,072 pairs on
        for (; next < 3_000; next++)
        {
            Assert.True(cache.TryAdd(next * 0x9E3779B97F4A7C15UL, long.MaxValue, 0, out _));
        }
        Assert.False(cache.HasSpareSlots);
        using (cache.Hold())
        {
            for (; next < 3_200; next++)
            {
                Assert.True(cache.TryAdd(next * 0x9E3779B97F4A7C15UL, long.MaxValue, 0, out _));
            }
            // touching fresh memory under the hold would stop every other thread that needs the lock meanwhile
            Assert.False(cache.PreparingSpares);
            Assert.False(cache.HasSpareSlots);
        }
        Assert.True(SpinWait.SpinUntil(() => cache.HasSpareSlots, TimeSpan.FromSeconds(30)));
        for (; next <= 5_000; next++)
        {
            Assert.True(cache.TryAdd(next * 0x9E3779B97F4A7C15UL, long.MaxValue, 0, out _));
        }
        Assert.Equal(0, cache.GrownUnprepared);
        Assert.Equal(5_000, cache.Count);
    }

    [Fact]
    public void Threads_adding_the_same_pairs_while_the_memory_grows_each_pair_is_taken_once()
    {
        const int pairs = 150_000;
        var cache = new ReplayCache(1_000_000);
        var taken = new int[pairs + 1];
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            // each thread its own order, so growths, preparations and look-ups interleave
            for (var n = 0; n < pairs; n++)
            {
                var i = (ulong)(t % 2 == 0 ? n + 1 : pairs - n);
                if (cache.TryAdd(i * 0x9E3779B97F4A7C15UL, long.MaxValue, 0, out _))
                {
                    Interlocked.Increment(ref taken[i]);
                }
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }
        foreach (var thread in threads)
        {
            thread.Join();
        }
        Assert.All(taken.Skip(1), n => Assert.Equal(1, n));
        Assert.Equal(pairs, cache.Count);
        Assert.Equal(0, cache.ForcedEvictions);
    }

    [Fact]
    public void Hints_from_another_thread_while_the_memory_grows_and_evicts_never_fail_or_change_it()
    {
        var cache = new ReplayCache(50_000);
        var stop = 0;
        long hints = 0;
        Exception? failed = null;
        using var started = new ManualResetEventSlim();
        // a thread of its own, started before the first entry: on a busy test run a pool task could start too late
        var hinter = new Thread(() =>
        {
            try
            {
                var rng = new Random(5);
                while (Volatile.Read(ref stop) == 0)
                {
                    cache.PrefetchEviction(rng.Next(0, 200_000));
                    cache.Prefetch((ulong)rng.NextInt64());
                    Interlocked.Increment(ref hints);
                    started.Set();
                }
            }
            catch (Exception ex)
            {
                failed = ex;
                started.Set();
            }
        });
        hinter.Start();
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "the hinting thread did not start");
        // distinct keys (an odd multiplier is a bijection), never 0: the table and the ring grow, then every entry evicts one
        for (var i = 1UL; i <= 200_000; i++)
        {
            Assert.True(cache.TryAdd(i * 0x9E3779B97F4A7C15UL, long.MaxValue, 0, out _));
        }
        Volatile.Write(ref stop, 1);
        hinter.Join();
        Assert.Null(failed);
        Assert.True(Interlocked.Read(ref hints) > 0);
        Assert.Equal(50_000, cache.Count);
        Assert.Equal(150_000, cache.ForcedEvictions);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 50)]
    [InlineData(3, 1000)]
    [InlineData(4, 9000)]
    public void The_table_answers_as_a_dictionary_and_a_queue_would_under_random_use(int seed, int capacity)
    {
        // keys sharing their low bits make long probe runs that wrap around the table; expiries and the capacity
        // make pairs leave from the middle of runs, which the backward shift must survive; the table grows
        var rng = new Random(seed);
        var cache = new ReplayCache(capacity);
        var model = new Dictionary<ulong, long>();
        var order = new Queue<(ulong Key, long ExpiresAt)>();
        long modelEvictions = 0;
        var keys = Enumerable.Range(0, (capacity * 3) + 10).Select(_ => ((ulong)rng.NextInt64() << 16) | (uint)rng.Next(0, 64)).Append(0UL).ToArray();
        long now = 0;
        for (var step = 0; step < 40_000; step++)
        {
            now += rng.Next(0, 3);
            var key = keys[rng.Next(keys.Length)];
            cache.Prefetch(key);
            // a hint at any distance, past the pairs held too: never out of bounds, never a change
            cache.PrefetchEviction(rng.Next(0, (2 * capacity) + 20));
            if (rng.Next(3) == 0)
            {
                Assert.Equal(model.TryGetValue(key == 0 ? 1 : key, out var e) && e >= now, cache.Contains(key, now));
                continue;
            }
            // lifetimes long enough that the capacity, not only expiry, makes pairs leave
            var expires = now + rng.Next(0, (4 * capacity) + 200);
            var added = cache.TryAdd(key, expires, now, out var evicted);
            Assert.Equal(ModelAdd(key == 0 ? 1 : key, expires, out var modelEvicted), added);
            Assert.Equal(modelEvicted, evicted);
            Assert.Equal(model.Count, cache.Count);
        }
        Assert.Equal(modelEvictions, cache.ForcedEvictions);
        Assert.True(modelEvictions > 0, "the capacity was reached");

        // the dictionary-and-queue memory the table replaced, as it was
        bool ModelAdd(ulong k, long exp, out bool ev)
        {
            ev = false;
            while (order.TryPeek(out var head) && head.ExpiresAt < now)
            {
                order.Dequeue();
                if (model.TryGetValue(head.Key, out var e) && e == head.ExpiresAt)
                {
                    model.Remove(head.Key);
                }
            }
            if (model.TryGetValue(k, out var existing) && existing >= now)
            {
                return false;
            }
            while (model.Count >= capacity && order.TryDequeue(out var old))
            {
                if (model.TryGetValue(old.Key, out var e) && e == old.ExpiresAt)
                {
                    model.Remove(old.Key);
                    ev = true;
                    modelEvictions++;
                }
            }
            model[k] = exp;
            order.Enqueue((k, exp));
            return true;
        }
    }
}
